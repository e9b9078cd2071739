"""The build hash of a stored title coder: what it was built from and how.

A build whose hash equals the stored coder's is skipped (``build_coder`` reuses the coder):
the hash covers the format, the lexical parameters, the embedding model and fixed settings
(``embed``, ``static``), the training titles and the context texts, in a fixed order.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

import numpy as np
import polars as pl

from skilltide.onet.coder_model import FORMAT_VERSION, TitleCoder
from skilltide.onet.coder_params import CoderParams


def coder_build_hash(
    examples: pl.DataFrame,
    context: pl.DataFrame,
    params: CoderParams,
    embed=None,
    model: str = "embed",
) -> str:
    """SHA-256 of the build's inputs; ``embed`` (its EmbedParams) for the embed/static kinds."""
    digest = hashlib.sha256()
    digest.update(f"format={FORMAT_VERSION};".encode())
    digest.update(json.dumps(TitleCoder(params).params_dict(), sort_keys=True).encode())
    if embed is not None:
        from skilltide.onet.coder_embed import EMBED_FORMAT_VERSION

        # Weights are chosen by the build; the model and the fixed settings decide them.
        fixed = {"model": embed.model, "vote_temperature": embed.vote_temperature}
        digest.update(f"embed_format={EMBED_FORMAT_VERSION};{json.dumps(fixed)}".encode())
    if embed is not None and model == "static":
        from skilltide.onet.coder_static import STATIC_FORMAT_VERSION, StaticParams

        static = json.dumps(asdict(StaticParams()), sort_keys=True)
        digest.update(f"static_format={STATIC_FORMAT_VERSION};{static}".encode())
    hashed = pl.concat(
        [
            examples.select(
                pl.concat_str(["onetsoc_code", "kind", "title"], separator="\t").alias("v")
            ),
            context.select(
                pl.concat_str([pl.lit("context"), "onetsoc_code", "text"], separator="\t").alias(
                    "v"
                )
            ),
        ]
    )
    for value in np.sort(hashed.to_series().to_numpy().astype(str)):
        digest.update(value.encode())
        digest.update(b"\n")
    return digest.hexdigest()
