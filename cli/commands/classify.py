"""``ged classify``: retrain the document-type model and measure it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from ged.services import training

from ..context import cli_actor, open_context
from ..output import console, print_json

app = typer.Typer(help="Classement automatique : entraînement et évaluation du modèle.", no_args_is_help=True)


@app.command("train")
def train() -> None:
    """Réentraîner le modèle sur le corpus généré et les documents validés par les agents."""
    with open_context() as ctx:
        console.print("Entraînement du modèle de classement…")
        trained = training.train(ctx, actor=cli_actor())
    console.print(f"Modèle entraîné sur {trained.generated} documents générés et {trained.validated} documents "
                  f"validés ({trained.held_out} validés gardés pour l'évaluation).")


def _table(title: str, evaluation: training.Evaluation) -> Table:
    table = Table("Type", "Précision", "Rappel", "F1", "Documents", title=title)
    for label, scores in evaluation.per_type.items():
        table.add_row(label, f"{scores.precision:.3f}", f"{scores.recall:.3f}", f"{scores.f1:.3f}",
                      str(scores.support))
    return table


def _confusion(evaluation: training.Evaluation) -> Table:
    short = [label[:6] for label in evaluation.labels]
    table = Table("réel \\ prédit", *short, title="Matrice de confusion")
    for label, row in zip(evaluation.labels, evaluation.confusion, strict=True):
        table.add_row(label, *[str(n) if n else "·" for n in row])
    return table


@app.command("eval")
def eval_(json_output: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False) -> None:
    """Précision, rappel, F1 par type et matrice de confusion, sur des documents jamais vus à l'entraînement."""
    with open_context() as ctx:
        report = training.evaluate(ctx)
    if json_output:
        print_json({"threshold": report.threshold, "generated": _as_dict(report.generated),
                    "stress": _as_dict(report.stress),
                    "validated": _as_dict(report.validated) if report.validated else None})
        return
    sets = [("Corpus généré (graine réservée à l'évaluation)", report.generated),
            ("Corpus généré dégradé (moitié du texte, 8 à 12 % de caractères erronés)", report.stress)]
    if report.validated:
        sets.append(("Documents validés gardés pour l'évaluation", report.validated))
    else:
        console.print("Aucun document validé gardé pour l'évaluation : validez du courrier réel (ged doc validate).")
    for title, evaluation in sets:
        console.print(_table(title, evaluation))
        console.print(_confusion(evaluation))
        console.print(f"Exactitude {evaluation.accuracy:.3f} sur {evaluation.size} documents ; "
                      f"{evaluation.uncertain} sous le seuil de {report.threshold} (à vérifier)\n")


def _as_dict(evaluation: training.Evaluation) -> dict[str, object]:
    return {"accuracy": evaluation.accuracy, "size": evaluation.size, "uncertain": evaluation.uncertain,
            "labels": list(evaluation.labels), "confusion": evaluation.confusion,
            "per_type": {k: v.__dict__ for k, v in evaluation.per_type.items()}}
