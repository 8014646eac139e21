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


def test_tokenizer_and_training_bad_input_write_nothing(tmp_path, capsys):
    from gpt_demo.cli import main

    empty = tmp_path / "empty.txt"
    empty.write_text("   \n\n", encoding="utf-8")
    small = tmp_path / "small.txt"
    small.write_text("가나다 abc\n" * 20, encoding="utf-8")
    out = tmp_path / "tok"
    cases = [
        (["train-tokenizer", "--input", str(empty), "--out", str(out)], "empty"),
        (["train-tokenizer", "--input", str(tmp_path / "missing.txt"), "--out", str(out)], "missing.txt"),
        (["train-tokenizer", "--input", str(small), "--out", str(out), "--vocab-size", "5000"], "too large"),
        (["train-tokenizer", "--input", str(small), "--out", str(out), "--vocab-size", "10"], "vocab_size"),
        (["train", "--train-file", str(small), "--out-dir", str(tmp_path / "run"), "--resume", str(tmp_path)],
         "not a training checkpoint"),
        (["corpus", "--out", str(tmp_path / "c"), "--seed", "1", "--val-seed", "1"], "must differ"),
    ]
    for args, message in cases:
        code = main(args)
        err = capsys.readouterr().err
        assert code == 2, args
        assert message in err, (args, err)
        assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists() and not (tmp_path / "run").exists() and not (tmp_path / "c").exists()
