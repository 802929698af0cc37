"""Model: the command line's defaults, names, meanings and one-line messages."""

import pickle

import numpy as np
import pytest

import quantreplica as qr
from conftest import cli_error, cli_flags, cli_json


def test_defaults_are_the_command_lines():
    d = qr.Model().to_dict()
    assert d["alpha"] == 2.0 and d["noise"] == 0.1 and d["bits"] == 2 and d["width"] == 1.0
    assert d["levels"] == "uniform" and d["beta"] == float("inf") and d["ridge"] == 0.0
    assert d["teacher"] == "gaussian" and d["teacher_var"] == 1.0
    assert d["level_weights"] is None and d["teacher_probs"] is None
    # The same model as the CLI's defaults: same levels.
    assert list(qr.Model().level_values) == cli_json("rs")["levels"]


def test_attributes_replace_equality_pickle():
    m = qr.Model(alpha=3, bits=1, width=0.8, beta=5.0)
    assert m.alpha == 3.0 and m.bits == 1 and m.beta == 5.0
    assert list(m.level_values) == [-0.8, 0.8]
    m2 = m.replace(alpha=4.0)
    assert m2.alpha == 4.0 and m.alpha == 3.0 and m2.bits == 1
    assert m.replace() == m and hash(m.replace()) == hash(m) and m2 != m
    assert pickle.loads(pickle.dumps(m)) == m
    assert qr.Model.from_json(m.to_json()) == m
    with pytest.raises(AttributeError):
        m.alpha = 1.0
    with pytest.raises(AttributeError):
        m.nonexistent
    assert "alpha=3.0" in repr(m)


def test_beta_inf_numpy_values_and_level_lists():
    assert qr.Model(beta=float("inf")).beta == float("inf")
    assert qr.Model(beta="inf").beta == float("inf")
    m = qr.Model(alpha=np.float32(1.5), bits=np.int64(3), level_weights=np.ones(8))
    assert m.alpha == 1.5 and m.bits == 3 and m.level_weights == [1.0] * 8
    c = qr.Model(levels=np.array([-1.0, 0.0, 1.0]))
    assert c.levels == "custom:-1.0,0.0,1.0"
    assert list(c.level_values) == [-1.0, 0.0, 1.0]
    assert qr.Model(levels="continuous").level_values is None


@pytest.mark.parametrize("kw", [
    dict(alpha=-1.0), dict(alpha=0.0), dict(noise=-0.5), dict(ridge=-1.0), dict(bits=17),
    dict(bits=0), dict(width=0.0), dict(width=-2.0),
    dict(levels="bogus"), dict(teacher="bogus"), dict(level_weights=[1.0, -1.0, 1.0, 1.0]),
    dict(levels="custom:1,1"), dict(teacher="discrete:-1,1", teacher_probs=[0.5]),
])
def test_bad_values_raise_the_clis_message(kw):
    with pytest.raises(ValueError) as e:
        qr.Model(**kw)
    assert str(e.value) == cli_error("rs", *cli_flags(**kw))


@pytest.mark.parametrize("kw,msg", [
    (dict(alpha=float("nan")), "--alpha must be finite, got NaN"),
    (dict(alpha=float("inf")), "--alpha must be finite, got inf"),
    (dict(teacher_var=float("nan")), "--teacher-var must be finite, got NaN"),
    (dict(beta=-2.0), "--beta must be positive (or inf), got -2"),
    (dict(beta=0.0), "--beta must be positive (or inf), got 0"),
    (dict(level_weights=[1.0, float("nan"), 1.0, 1.0]), "level weight 'NaN' is not a finite number"),
])
def test_non_finite_values_name_the_flag(kw, msg):
    # The command line refuses these while parsing the flag (clap's message); the library's
    # model specification names the flag and the value the same way as its other checks.
    with pytest.raises(ValueError) as e:
        qr.Model(**kw)
    assert str(e.value) == msg
    flag = "--" + next(iter(kw)).replace("_", "-")
    cli = cli_error("rs", *cli_flags(**kw))
    assert flag in cli or "not a finite number" in cli


def test_unknown_keywords_and_wrong_types():
    with pytest.raises(TypeError, match="unexpected keyword argument 'alpah'"):
        qr.Model(alpah=2.0)
    with pytest.raises(TypeError, match="bits"):
        qr.Model(bits=2.5)
    with pytest.raises((TypeError, ValueError), match="bits"):
        qr.Model(bits=-1)
    with pytest.raises(TypeError, match="alpha"):
        qr.Model(alpha="two")
