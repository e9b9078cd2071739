"""The coder's discriminative score: a one-vs-rest linear SVM over its TF-IDF features."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.svm import LinearSVC

from skilltide.onet.coder_linear import LinearScores
from skilltide.onet.coder_model import TitleCoder
from skilltide.onet.coder_params import CoderParams
from tests.onet.test_coder_model import TRAIN


def _data(n_classes: int, seed: int = 3) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(n_classes), 6)
    x = rng.random((len(y), 12)) * (rng.random((len(y), 12)) < 0.4)
    x[np.arange(len(y)), y] += 1.0  # feature k marks class k
    return sp.csr_matrix(x.astype(np.float32)), y, rng.uniform(0.5, 2.0, len(y))


@pytest.mark.parametrize("n_classes", [2, 4])
def test_scores_are_the_svm_decision_values(n_classes):
    x, y, w = _data(n_classes)
    linear = LinearScores(c=1.0, min_weight=0.0).fit(x, y, w, n_codes=n_classes)
    model = LinearSVC(C=1.0, random_state=0).fit(x, y, sample_weight=w)
    expected = model.decision_function(x)
    if n_classes == 2:  # one function for class 1; class 0 gets its negative
        expected = np.c_[-expected, expected]
    np.testing.assert_allclose(linear.scores(x), expected, rtol=1e-4, atol=1e-4)
    assert (linear.scores(x).argmax(axis=1) == y).mean() == 1.0


def test_small_weights_are_dropped_and_occupations_without_titles_never_win():
    x, y, w = _data(3)
    full = LinearScores(min_weight=0.0).fit(x, y, w, n_codes=4)
    pruned = LinearScores(min_weight=0.05).fit(x, y, w, n_codes=4)
    assert pruned.weights_t.shape == (12, 4) and pruned.weights_t.nnz < full.weights_t.nnz
    assert np.abs(pruned.weights_t.data).min() >= 0.05
    assert full.weights_t[:, 3].nnz == 0 and full.intercept[3] == -1.0
    assert (full.scores(x).argmax(axis=1) != 3).all()
    one = LinearScores().fit(x[y == 0], y[y == 0], w[y == 0], n_codes=2)
    assert one.weights_t.nnz == 0 and one.scores(x[:1]).tolist() == [[-1.0, -1.0]]


def test_rows_without_features_get_the_intercepts():
    x, y, w = _data(3)
    linear = LinearScores().fit(x, y, w, n_codes=3)
    empty = sp.csr_matrix((2, 12), dtype=np.float32)
    np.testing.assert_array_equal(linear.scores(empty), np.tile(linear.intercept, (2, 1)))


def test_linear_score_enters_the_logit_with_its_weight():
    with_svm = TitleCoder(CoderParams(nearest_max_df=1.0, linear=2.0)).fit(TRAIN)
    without = TitleCoder(CoderParams(nearest_max_df=1.0, linear=0.0)).fit(TRAIN)
    assert without.linear is None and with_svm.linear is not None
    texts = ["java developer", "night nurse", "truck"]
    parts, logits = with_svm.score_parts(texts)
    np.testing.assert_allclose(logits - without.logits(texts), 2.0 * parts["linear"], atol=1e-5)
    # Each training title is on the right side of its occupation's decision boundary.
    assert (parts["linear"].argmax(axis=1) == [0, 1, 2]).all()


def test_linear_table_is_stored_with_the_coder():
    coder = TitleCoder(CoderParams(nearest_max_df=1.0, linear=2.0)).fit(TRAIN)
    loaded = TitleCoder.from_bytes(coder.to_bytes())
    assert loaded.linear is not None
    assert (loaded.linear.weights_t != coder.linear.weights_t).nnz == 0
    titles = ["Java Dev", "Semi Truck Driver", "Staff RN"]
    assert loaded.predict(titles).equals(coder.predict(titles))
    assert loaded.fingerprint() == coder.fingerprint()
    plain = TitleCoder(CoderParams(nearest_max_df=1.0, linear=0.0)).fit(TRAIN)
    assert TitleCoder.from_bytes(plain.to_bytes()).linear is None
    assert plain.fingerprint() != coder.fingerprint()


def test_the_default_coder_has_no_svm():
    assert CoderParams().linear == 0.0
    assert TitleCoder(CoderParams(nearest_max_df=1.0)).fit(TRAIN).linear is None


def test_a_format_3_coder_from_before_the_svm_still_loads():
    import io
    import json

    coder = TitleCoder(CoderParams(nearest_max_df=1.0)).fit(TRAIN)
    with np.load(io.BytesIO(coder.to_bytes()), allow_pickle=False) as z:
        arrays = {name: z[name] for name in z.files}
    meta = json.loads(str(arrays["meta"]))
    for name in ("linear", "linear_c", "linear_min_weight", "temperature_gap"):
        meta["params"].pop(name, None)  # format 3 had none of these
    meta["format"] = 3
    arrays["meta"] = np.array(json.dumps(meta))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    old = TitleCoder.from_bytes(buffer.getvalue())
    titles = ["Java Dev", "Staff RN"]
    assert old.linear is None and old.predict(titles).equals(coder.predict(titles))
