"""Embeddings: deterministic, similarity-preserving vectors in both encodings."""

from __future__ import annotations

import base64
import struct
from collections.abc import Callable
from typing import Any

from openai.types import CreateEmbeddingResponse

from mocks.llm._embeddings import (
    cosine,
    create_embeddings,
    decode_base64,
    embed_text,
    embed_tokens,
    encode_base64,
)

Check = Callable[[str, Any], None]


def embed(**request: Any) -> dict[str, Any]:
    return create_embeddings({"model": "text-embedding-3-small", **request}, dimensions=1536)


def test_float_embeddings_are_unit_vectors(conforms: Check) -> None:
    document = embed(input=["first text", "second text"])
    conforms("embedding_response", document)
    response = CreateEmbeddingResponse.model_validate(document)
    assert [d.index for d in response.data] == [0, 1]
    for item in response.data:
        assert len(item.embedding) == 1536
        assert abs(sum(v * v for v in item.embedding) - 1.0) < 1e-4
    assert response.usage.prompt_tokens == 4 == response.usage.total_tokens


def test_base64_is_little_endian_float32_of_the_same_numbers(conforms: Check) -> None:
    as_floats = embed(input="hello world")["data"][0]["embedding"]
    document = embed(input="hello world", encoding_format="base64")
    conforms("embedding_response", document)
    raw = base64.b64decode(document["data"][0]["embedding"])
    assert len(raw) == 4 * 1536
    assert list(struct.unpack(f"<{1536}f", raw)) == as_floats
    assert decode_base64(encode_base64(as_floats)) == as_floats


def test_dimensions_shorten_the_vector() -> None:
    vector = embed(input="hello", dimensions=256)["data"][0]["embedding"]
    assert len(vector) == 256


def test_vectors_are_deterministic_and_seeded() -> None:
    assert embed_text("same text", 64) == embed_text("same text", 64)
    assert embed_text("same text", 64, seed=1) != embed_text("same text", 64, seed=2)


def test_similar_texts_are_closer_than_unrelated_ones() -> None:
    query = embed_text("How do I reset my password?", 1536)
    related = embed_text("Steps to reset a forgotten password", 1536)
    unrelated = embed_text("Quarterly revenue grew in the European market", 1536)
    assert cosine(query, related) > 0.3
    assert abs(cosine(query, unrelated)) < 0.15
    assert cosine(query, related) > cosine(query, unrelated) + 0.2
    assert cosine(embed_text("embedding", 512), embed_text("embeddings", 512)) > 0.2


def test_retrieval_ranks_the_matching_document_first() -> None:
    documents = [
        "The cat sat on the warm mat by the fire",
        "Stock markets fell sharply on Monday",
        "A recipe for chocolate cake with berries",
        "Dogs and cats are popular household pets",
    ]
    vectors = [embed_text(d, 1536) for d in documents]
    query = embed_text("Where did the cat sit?", 1536)
    ranked = sorted(range(len(documents)), key=lambda i: -cosine(query, vectors[i]))
    assert ranked[0] == 0 and ranked[1] == 3


def test_token_arrays_embed_by_their_ids(conforms: Check) -> None:
    document = embed(input=[[1, 2, 3, 4], [1, 2, 3, 5], [90, 91, 92]])
    conforms("embedding_response", document)
    a, b, c = (d["embedding"] for d in document["data"])
    assert cosine(a, b) > 0.5 > abs(cosine(a, c))
    assert document["usage"]["prompt_tokens"] == 11
    assert embed(input=[1, 2, 3, 4])["data"][0]["embedding"] == embed_tokens([1, 2, 3, 4], 1536)


def test_vectors_do_not_depend_on_request_order() -> None:
    alone = embed(input="apples")["data"][0]["embedding"]
    batched = embed(input=["pears", "apples"])["data"][1]["embedding"]
    assert alone == batched
