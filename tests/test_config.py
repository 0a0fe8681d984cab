"""Config errors are one line naming the file and the key, exit code 2."""

import pytest

from assistant.config import load_config
from assistant.errors import ConfigError

from cli_runner import run_cli
from projects import REPO, write_project


def test_defaults_serve_an_empty_config(tmp_path):
    config = load_config(write_project(tmp_path))
    assert config.sources_dir == (tmp_path / "sources").resolve()
    assert config.index_dir == (tmp_path / "index").resolve()
    assert config.settings.retrieval.mode == "hybrid"


def test_shipped_config_toml_is_valid():
    config = load_config(REPO / "config.toml")
    assert config.settings.sources.path == "sources" and config.settings.index.path == "index"


def test_shipped_config_toml_names_the_shipped_bars():
    """The comment over ``answer.min_confidence`` tells the user the calibrated defaults; a refit of the
    confidence models changes them, and the comment must follow."""
    from assistant.answers.confidence import shipped_model

    text = (REPO / "config.toml").read_text(encoding="utf-8")
    with_reader, without = shipped_model(reader=True).default_bar, shipped_model(reader=False).default_bar
    assert f"The calibrated default is {with_reader:.2f} with the reader, {without:.2f} without it." in text
    assert f"# min_confidence = {with_reader:.2f}" in text


@pytest.mark.parametrize(
    "text, needle",
    [
        ("[retrieval\nmode = 1", "not valid TOML"),
        ("[retrieval]\nmood = 'hybrid'\n", "unknown key 'retrieval.mood'"),
        ("colour = 'red'\n", "unknown key 'colour'"),
        ("[answer]\nsnippets = 'three'\n", "'answer.snippets'"),
        ("[answer]\nreader = 'yes'\n", "'answer.reader': Input should be a valid boolean"),  # TOML has true and false
        ("[retrieval]\nmode = 'psychic'\n", "'retrieval.mode'"),
        ("[sources]\npath = 'nowhere'\n", "'sources.path'"),
        ("[sources]\nmax_file_mb = inf\n", "'sources.max_file_mb'"),
        ("[retrieval]\ndense_weight = nan\n", "'retrieval.dense_weight'"),
        ("[retrieval]\ndense_weight = 0.0\nlexical_weight = 0.0\nsentence_weight = 0.0\n", "nothing would rank"),
    ],
)
def test_bad_config_is_one_line_naming_file_and_key(tmp_path, text, needle):
    config = write_project(tmp_path, text)
    with pytest.raises(ConfigError):
        load_config(config)
    code, out, err = run_cli("--config", str(config), "status")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and needle in err and str(config) in err
    assert "Traceback" not in err


def test_a_byte_order_mark_and_one_pattern_without_brackets_are_read_as_meant(tmp_path):
    config = write_project(tmp_path, "", {"a.txt": "Some text.", "b.md": "More text."})
    config.write_bytes(b"\xef\xbb\xbf" + b'[sources]\ninclude = "*.md"\nexclude = "drafts/"\n')
    settings = load_config(config).settings.sources
    assert settings.include == ("*.md",) and settings.exclude == ("drafts/",)


def test_missing_config_file(tmp_path):
    code, _, err = run_cli("--config", str(tmp_path / "nope.toml"), "status")
    assert code == 2 and "config file not found" in err


def test_config_from_environment_and_relative_paths(tmp_path, monkeypatch):
    config = write_project(tmp_path / "elsewhere", "[index]\npath = 'built'\n")
    monkeypatch.setenv("ASSISTANT_CONFIG", str(config))
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli("status")
    assert code == 3  # no index yet
    assert str((tmp_path / "elsewhere" / "built").resolve()) in out


def test_a_leading_tilde_in_config_paths_is_the_home_folder(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "notes").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    config = write_project(tmp_path / "p", "[sources]\npath = '~/notes'\n[index]\npath = '~/.notes-index'\n")
    loaded = load_config(config)
    assert loaded.sources_dir == (home / "notes").resolve()
    assert loaded.index_dir == (home / ".notes-index").resolve()
