"""The sign channel through Model(**kwargs): the library's spec fields, the CLI's messages."""

import pytest

import quantreplica as qr


def test_sign_channel_fields_and_storage_capacity():
    m = qr.Model(channel="sign", labels="random", bits=1, alpha=0.833078599)
    assert m.channel == "sign" and m.labels == "random" and m.margin == 0.0 and m.flip == 0.0
    assert qr.Model.from_json(m.to_json()) == m
    # Krauth-Mezard: the RS entropy of the +-1 storage problem vanishes here.
    r = qr.rs(m, continuation=False)
    assert abs(r.entropy) < 2e-7
    assert qr.Model().channel == "gaussian" and qr.Model().labels == "teacher"


def test_sign_channel_bad_input_messages():
    with pytest.raises(ValueError, match="--margin 0.5 needs --channel sign"):
        qr.Model(margin=0.5)
    with pytest.raises(ValueError, match=r"--flip must be in \[0, 1/2\], got 0.7"):
        qr.Model(channel="sign", flip=0.7)
    with pytest.raises(ValueError, match="--labels random needs --channel sign"):
        qr.Model(labels="random")
