"""``python -m cptm_rules``: the ``cptm-rules`` command."""

from cptm_rules.cli import entry_point

if __name__ == "__main__":
    entry_point()
