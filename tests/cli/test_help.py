"""What `hub --help`, `hub --version` and a group's help tell a self-hoster, run as they run it."""

from __future__ import annotations

import argparse
from importlib.metadata import version

import pytest

from hub.cli import build_parser

from .conftest import clean_env, run_hub


def test_version_is_the_installed_packages():
    done = run_hub(clean_env(), "--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"hub {version('hub')}"


def test_the_top_level_help_names_every_command_and_the_exit_codes():
    done = run_hub(clean_env(), "--help")
    assert done.returncode == 0
    (commands,) = build_parser()._subparsers._group_actions
    description = done.stdout.split("commands: ", 1)[1].split("\n", 1)[0]
    assert description.rstrip(".").split(", ") == list(commands.choices)
    assert "exit codes: 0 done; 1 failed" in done.stdout and "2 usage" in done.stdout


@pytest.mark.parametrize("group", ["directory", "author", "token", "webmention"])
def test_a_group_with_no_action_prints_its_own_help(group):
    done = run_hub(clean_env(), group)
    assert done.returncode == 2
    assert done.stdout.startswith(f"usage: hub {group} ")
    assert "examples:" in done.stdout and "exit codes:" in done.stdout
    assert "commands: serve" not in done.stdout  # not the top-level help


def walk(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from walk(sub, (*path, name))


def test_every_command_has_an_example_and_every_argument_a_help():
    commands = list(walk(build_parser()))
    assert len(commands) > 20
    for path, parser in commands:
        assert parser.epilog and "exit codes:" in parser.epilog, path
        if path:
            assert f"hub {path[0]}" in parser.epilog, path  # an example of itself
        for action in parser._actions:
            if not isinstance(action, argparse._SubParsersAction):
                assert action.help, (path, action.dest)
