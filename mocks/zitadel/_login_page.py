"""The hosted login pages: plain server-rendered HTML forms shaped like Zitadel's login.

Zitadel's login (v1, under ``/ui/login/``) asks for the login name on one page and the
password on the next; the inputs have the ids ``loginName`` and ``password`` and the
button the id ``submit-button``, and a failed check shows an error on the same page.
Browser tests and HTTP-driven tests rely on exactly those ids and on the form fields;
nothing else on the page is part of the contract. Every form carries the CSRF token
(hidden field ``gorilla.csrf.Token``, as Zitadel's login names it); the only inline
style and script are the constants below, whose hashes the Content-Security-Policy lists.
"""

from __future__ import annotations

from html import escape

LOGIN_PATH = "/ui/login/login"
LOGIN_NAME_PATH = "/ui/login/loginname"
PASSWORD_PATH = "/ui/login/password"
MFA_VERIFY_PATH = "/ui/login/mfa/verify"
MFA_INIT_VERIFY_PATH = "/ui/login/mfa/init/verify"
LOGOUT_DONE_PATH = "/ui/login/logout/done"
DEVICE_PATH = "/ui/login/device"
AUTHORIZE_CALLBACK_PATH = "/oauth/v2/authorize/callback"

#: Zitadel's English error texts on the login pages.
USER_NOT_FOUND = "User could not be found"
USER_NOT_FOUND_ON_ORG = "User could not be found on chosen organization"
USER_AGENT_MISMATCH = "User Agent does not correspond"
AUTH_REQUEST_MISSING = "Auth Request does not exist"
PASSWORD_INVALID = "Password is invalid"
USER_LOCKED = "User is locked"
DEVICE_CODE_INVALID = "Device Authorization Request does not exist"
TOTP_CODE_INVALID = "Invalid code"

#: The hidden form field that carries the CSRF token (gorilla/csrf's name, as Zitadel's).
CSRF_FIELD = "gorilla.csrf.Token"
#: Zitadel's MFA type number of a TOTP ("OTP") factor in the verify form.
MFA_TYPE_OTP = "1"

STYLE = """
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
background:#f5f5f7;color:#1d1d1f}
main{max-width:360px;margin:10vh auto;background:#fff;border-radius:12px;padding:32px;
box-shadow:0 2px 12px rgba(0,0,0,.08)}
h1{font-size:1.5rem;margin:0 0 8px}p.lead{margin:0 0 24px;color:#555}
label{display:block;font-size:.85rem;margin:16px 0 4px}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:10px;
border:1px solid #ccc;border-radius:6px;font-size:1rem}
button{margin-top:24px;width:100%;padding:10px;border:0;border-radius:6px;
background:#5469d4;color:#fff;font-size:1rem;cursor:pointer}
.lgn-error{margin-top:16px;padding:10px;border-radius:6px;background:#fdecea;color:#b3261e}
.user{font-weight:600}
"""


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def _error(message: str) -> str:
    if not message:
        return ""
    return (
        '<div class="lgn-error" id="error" role="alert">'
        f'<span class="lgn-error-message">{escape(message)}</span></div>'
    )


def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'


def login_name_page(
    auth_request_id: str,
    *,
    csrf: str,
    app_name: str = "",
    login_name: str = "",
    error: str = "",
) -> str:
    """The first page: asks for the login name."""
    subtitle = f"to continue to {escape(app_name)}" if app_name else "with your account"
    return _page(
        "Login",
        f'<h1>Sign in</h1><p class="lead">{subtitle}</p>'
        f'<form method="POST" action="{LOGIN_NAME_PATH}" id="login-name-form">'
        f"{_hidden(CSRF_FIELD, csrf)}{_hidden('authRequestID', auth_request_id)}"
        '<label for="loginName">Login name</label>'
        '<input type="text" id="loginName" name="loginName" autocomplete="username" '
        f'value="{escape(login_name)}" autofocus required>'
        f"{_error(error)}"
        '<button type="submit" id="submit-button">Next</button>'
        "</form>",
    )


def password_page(
    auth_request_id: str, *, csrf: str, login_name: str, display_name: str = "", error: str = ""
) -> str:
    """The second page: asks for the password of the chosen user."""
    shown = display_name or login_name
    return _page(
        "Password",
        f'<h1>Password</h1><p class="lead">for <span class="user">{escape(shown)}</span></p>'
        f'<form method="POST" action="{PASSWORD_PATH}" id="password-form">'
        f"{_hidden(CSRF_FIELD, csrf)}{_hidden('authRequestID', auth_request_id)}"
        f"{_hidden('loginName', login_name)}"
        '<label for="password">Password</label>'
        '<input type="password" id="password" name="password" '
        'autocomplete="current-password" autofocus required>'
        f"{_error(error)}"
        '<button type="submit" id="submit-button">Next</button>'
        "</form>",
    )


def mfa_verify_page(auth_request_id: str, *, csrf: str, display_name: str, error: str = "") -> str:
    """The second-factor page: asks for the code of the user's authenticator app."""
    return _page(
        "Verify Multifactor",
        f'<h1>Verify Multifactor</h1><p class="lead">for '
        f'<span class="user">{escape(display_name)}</span>: enter the code of your '
        "authenticator app.</p>"
        f'<form method="POST" action="{MFA_VERIFY_PATH}" id="mfa-verify-form">'
        f"{_hidden(CSRF_FIELD, csrf)}{_hidden('authRequestID', auth_request_id)}"
        f"{_hidden('mfaType', MFA_TYPE_OTP)}"
        '<label for="code">Code</label>'
        '<input type="text" id="code" name="code" inputmode="numeric" '
        'autocomplete="one-time-code" autofocus required>'
        f"{_error(error)}"
        '<button type="submit" id="submit-button">Next</button>'
        "</form>",
    )


def mfa_setup_page(
    auth_request_id: str, *, csrf: str, secret: str, uri: str, error: str = ""
) -> str:
    """The "multifactor required" page: register an authenticator app, then confirm a code."""
    return _page(
        "Multifactor Setup",
        "<h1>2-Factor Setup</h1>"
        '<p class="lead">Your organization requires a second factor. Add this key to your '
        "authenticator app, then enter the code it shows.</p>"
        f'<p>Key: <code id="totp-secret">{escape(secret)}</code></p>'
        f'<p><code id="totp-uri">{escape(uri)}</code></p>'
        f'<form method="POST" action="{MFA_INIT_VERIFY_PATH}" id="mfa-init-form">'
        f"{_hidden(CSRF_FIELD, csrf)}{_hidden('authRequestID', auth_request_id)}"
        f"{_hidden('mfaType', MFA_TYPE_OTP)}"
        '<label for="code">Code</label>'
        '<input type="text" id="code" name="code" inputmode="numeric" '
        'autocomplete="one-time-code" autofocus required>'
        f"{_error(error)}"
        '<button type="submit" id="submit-button">Next</button>'
        "</form>",
    )


def device_code_page(*, csrf: str, user_code: str = "", error: str = "") -> str:
    """The page where a user types the code a device shows."""
    return _page(
        "Device",
        '<h1>Connect a device</h1><p class="lead">Enter the code shown on your device.</p>'
        f'<form method="POST" action="{DEVICE_PATH}" id="device-form">{_hidden(CSRF_FIELD, csrf)}'
        '<label for="userCode">Code</label>'
        '<input type="text" id="userCode" name="userCode" autocomplete="off" '
        f'value="{escape(user_code)}" autofocus required>'
        f"{_error(error)}"
        '<button type="submit" id="submit-button">Next</button>'
        "</form>",
    )


def device_done_page(*, approved: bool) -> str:
    """Shown after the user approved (or denied) a device."""
    text = "The device is now signed in." if approved else "The device was not signed in."
    return _page("Device", f'<h1>Done</h1><p class="lead" id="device-result">{text}</p>')


def logout_done_page() -> str:
    """Where end_session lands when there is no post-logout redirect."""
    return _page(
        "Logged out",
        '<h1>Logged out</h1><p class="lead" id="logout-done">You have been logged out.</p>',
    )


#: The only inline script: submits the form_post page (its hash is in the CSP).
AUTO_SUBMIT_SCRIPT = "document.forms[0].submit();"


def form_post_page(redirect_uri: str, params: dict[str, str]) -> str:
    """The response_mode=form_post page: a form that posts the response to the client."""
    fields = "".join(_hidden(name, value) for name, value in params.items())
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8"><title>Submit</title></head><body>'
        f'<form method="post" action="{escape(redirect_uri)}">{fields}'
        '<noscript><button type="submit">Continue</button></noscript></form>'
        f"<script>{AUTO_SUBMIT_SCRIPT}</script>"
        "</body></html>\n"
    )


def error_page(message: str) -> str:
    """A plain error page (an unknown or expired login, say)."""
    return _page("Error", f"<h1>Something went wrong</h1>{_error(message)}")
