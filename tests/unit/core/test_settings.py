from __future__ import annotations

import base64

import pytest
from pydantic import ValidationError

from eligo.settings import DEV_PHI_KEY, Settings

REAL_KEY = base64.b64encode(b"k" * 32).decode()


def test_defaults_are_the_embedded_dev_setup() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url == "sqlite:///var/eligo.db"
    assert settings.api.max_json_bytes == 1024 * 1024
    assert settings.api.max_upload_bytes == 15 * 1024 * 1024
    assert settings.api.cors_origins == []


def test_nested_values_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELIGO_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("ELIGO_API__MAX_JSON_BYTES", "2048")
    monkeypatch.setenv("ELIGO_CATALOG__MAX_BAD_SHARE", "0.1")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url == "postgresql+psycopg://u@h/db"
    assert settings.api.max_json_bytes == 2048
    assert settings.catalog.max_bad_share == 0.1


@pytest.mark.parametrize("field", ["secret_key", "phi_key"])
def test_prod_refuses_placeholder_secrets(field: str) -> None:
    values = {"secret_key": "s" * 40, "phi_key": REAL_KEY, field: None}
    values = {k: v for k, v in values.items() if v is not None}
    with pytest.raises(ValidationError, match=field.upper()):
        Settings(_env_file=None, env="prod", **values)  # type: ignore[arg-type, call-arg]


def test_prod_accepts_real_secrets_and_dev_accepts_placeholders() -> None:
    prod = Settings(_env_file=None, env="prod", secret_key="s" * 40, phi_key=REAL_KEY)  # type: ignore[arg-type, call-arg]
    assert prod.phi_key_bytes == b"k" * 32
    dev = Settings(_env_file=None)  # type: ignore[call-arg]
    assert dev.phi_key.get_secret_value() == DEV_PHI_KEY


def test_phi_key_must_be_32_bytes() -> None:
    with pytest.raises(ValidationError, match="32 bytes"):
        Settings(_env_file=None, phi_key=base64.b64encode(b"short").decode())  # type: ignore[arg-type, call-arg]


def test_secrets_are_not_in_repr() -> None:
    settings = Settings(_env_file=None, secret_key="super-secret-value-42")  # type: ignore[arg-type, call-arg]
    assert "super-secret-value-42" not in repr(settings)
    assert "super-secret-value-42" not in settings.model_dump_json()
