"""`python -m pipelines.bench [--scales 1,10,100]`: the bench without going through pipelines/cli/app.py."""

import typer

from pipelines.bench import register

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
register(app)

if __name__ == "__main__":
    app()
