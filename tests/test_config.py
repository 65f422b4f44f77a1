from pathlib import Path

import pytest

from hub.config import Settings, SettingsError, documented_settings

DOCS = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_every_setting_is_documented():
    text = DOCS.read_text()
    missing = [env for env, _, _ in documented_settings() if f"`{env}`" not in text]
    assert missing == [], f"add these to docs/configuration.md: {missing}"


def test_defaults_are_the_embedded_mode():
    settings = Settings.from_env({})
    assert settings.embedded_database and settings.embedded_redis
    assert settings.worker_in_process
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.allow_loopback_fetch is False
    assert settings.data_dir.name == ".hub" and settings.media_dir == settings.data_dir / "media"


def test_values_are_read_and_typed_from_the_environment():
    settings = Settings.from_env(
        {
            "HUB_DATABASE_URL": "postgresql://u@db/hub",
            "REDIS_URL": "redis://r:6379/0",
            "HUB_PORT": "9000",
            "HUB_BASE_URL": "https://blog.example/",
            "HUB_ALLOW_LOOPBACK_FETCH": "1",
            "HUB_TRUSTED_PROXIES": "10.0.0.1, 10.0.0.2",
        }
    )
    assert settings.database_url == "postgresql://u@db/hub"
    assert settings.port == 9000 and settings.base_url == "https://blog.example"
    assert settings.allow_loopback_fetch is True
    assert settings.trusted_proxies == ("10.0.0.1", "10.0.0.2")
    assert not settings.worker_in_process  # with a shared Redis, run `hub worker`


@pytest.mark.parametrize(
    "env",
    [
        {"HUB_PORT": "eighty"},
        {"HUB_MODERATION": "sometimes"},
        {"HUB_BASE_URL": "ftp://x"},
        {"HUB_ALLOW_LOOPBACK_FETCH": "maybe"},
    ],
)
def test_bad_values_are_refused_with_the_variable_named(env):
    with pytest.raises(SettingsError) as error:
        Settings.from_env(env)
    assert next(iter(env)) in str(error.value)


def test_default_base_url_follows_host_and_port():
    assert Settings.from_env({"HUB_PORT": "9001"}).base_url == "http://127.0.0.1:9001"
    assert Settings.from_env({}, host="0.0.0.0", port=80).base_url == "http://127.0.0.1:80"
    explicit = Settings.from_env({"HUB_BASE_URL": "https://blog.example", "HUB_PORT": "9001"})
    assert explicit.base_url == "https://blog.example"
