import subprocess
import sys

import pytest


def run_cli(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "gpt_demo", *args], capture_output=True, text=True, timeout=timeout)


def test_generate_with_a_random_model_streams_text():
    result = run_cli("generate", "--random-init", "--prompt", "안녕 hello", "--max-new-tokens", "12", "--seed", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("안녕 hello")
    assert len(result.stdout.encode()) > len("안녕 hello".encode())  # something was generated
    assert "untrained" in result.stderr
    again = run_cli("generate", "--random-init", "--prompt", "안녕 hello", "--max-new-tokens", "12", "--seed", "1")
    assert again.stdout == result.stdout  # seeded


@pytest.mark.parametrize(
    "args, message",
    [
        (["generate", "--random-init", "--top-p", "0"], "top_p"),
        (["generate", "--random-init", "--temperature", "-1"], "temperature"),
        (["generate", "--random-init", "--prompt", ""], "empty"),
        (["generate", "--random-init", "--max-new-tokens", "5000"], "context"),
        (["train", "--train-file", "does-not-exist.txt", "--out-dir", "unused"], "not found"),
        (["generate", "--no-such-flag"], "unrecognized arguments"),
        (["no-such-command"], "invalid choice"),
    ],
)
def test_bad_input_gives_one_clear_line_and_non_zero_exit(args, message, capsys):
    from gpt_demo.cli import main

    try:
        code = main(args)
    except SystemExit as exit_:  # argparse's own errors
        code = exit_.code
    err = capsys.readouterr().err
    assert code != 0
    assert message in err
    assert "Traceback" not in err
