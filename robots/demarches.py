"""The online démarches robot: new dossiers of a démarche pulled from démarches-simplifiées' GraphQL
API (a bearer token; pages by cursor; from the latest change already taken), each registered once by
``ged.services.dossiers`` with its attachments downloaded first.

A page that fails, a file that does not download: the run stops there with a transient error (the
runner retries with backoff); what was taken stays taken, and the next attempt asks again from the
start of the last pass that went through, skipping the dossiers the ledger knows.
"""

from __future__ import annotations

import base64
import hashlib
import os
import ssl
from collections.abc import Iterator, MutableMapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from ged.context import Context
from ged.errors import NotConfigured, Transient
from ged.services import dossiers

from .definitions import Demarches

QUERY = """
query dossiersDeposes($demarche: Int!, $after: String, $updatedSince: ISO8601DateTime) {
  demarche(number: $demarche) {
    title
    dossiers(first: 100, after: $after, updatedSince: $updatedSince, order: ASC) {
      pageInfo { hasNextPage endCursor }
      nodes {
        number
        state
        dateDepot
        dateDerniereModification
        usager { email }
        demandeur {
          __typename
          ... on PersonnePhysique { civilite nom prenom }
          ... on PersonneMorale { siret entreprise { raisonSociale } }
        }
        champs {
          __typename
          label
          stringValue
          ... on PieceJustificativeChamp { files { filename contentType checksum byteSize url } }
        }
      }
    }
  }
}
"""
MAX_FILE = 200 * 1024 * 1024
"""An attachment larger than this is refused (démarches-simplifiées itself caps them lower)."""


def _token(ctx: Context, spec: Demarches) -> str:
    if spec.token_file is not None:
        return ctx.settings.resolve(spec.token_file).read_text(encoding="utf-8").strip()
    token = os.environ.get(spec.token_env)
    if not token:
        raise NotConfigured(f"jeton de l'API démarches-simplifiées absent (variable {spec.token_env})")
    return token


def _client(ctx: Context, spec: Demarches) -> httpx.Client:
    verify: ssl.SSLContext | bool = True
    if spec.ca_file is not None:
        verify = ssl.create_default_context(cafile=str(ctx.settings.resolve(spec.ca_file)))
    return httpx.Client(timeout=60, verify=verify, headers={"Authorization": f"Bearer {_token(ctx, spec)}"})


def _pages(client: httpx.Client, spec: Demarches, since: datetime | None) -> Iterator[tuple[str, list[Any]]]:
    after: str | None = None
    while True:
        variables = {"demarche": spec.demarche, "after": after,
                     "updatedSince": since.isoformat() + "Z" if since else None}
        try:
            answer = client.post(spec.url, json={"query": QUERY, "variables": variables})
        except httpx.HTTPError as exc:
            raise Transient(f"démarches-simplifiées injoignable : {exc}") from exc
        if answer.status_code in (401, 403):
            raise NotConfigured(f"démarches-simplifiées refuse le jeton ({answer.status_code})")
        if answer.status_code >= 500 or answer.status_code == 429:
            raise Transient(f"démarches-simplifiées indisponible ({answer.status_code})")
        body = answer.json()
        if body.get("errors"):
            raise NotConfigured(f"démarches-simplifiées : {body['errors'][0].get('message')}")
        demarche = (body.get("data") or {}).get("demarche")
        if demarche is None:
            raise NotConfigured(f"démarche {spec.demarche} introuvable ou non accessible avec ce jeton")
        page = demarche["dossiers"]
        yield demarche["title"], page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return
        after = page["pageInfo"]["endCursor"]


def _fetcher(client: httpx.Client, url: str, checksum: str | None) -> Any:
    """Download into the path; the platform's MD5 checksum (base64) is checked when it gives one."""
    def fetch(path: Path) -> None:
        digest = hashlib.md5(usedforsecurity=False)
        size = 0
        try:
            with client.stream("GET", url) as answer, path.open("wb") as out:
                if answer.status_code != 200:
                    raise Transient(f"pièce jointe non téléchargée ({answer.status_code}) : {url}")
                for chunk in answer.iter_bytes():
                    size += len(chunk)
                    if size > MAX_FILE:
                        raise Transient(f"pièce jointe de plus de {MAX_FILE // 2**20} Mo : {url}")
                    digest.update(chunk)
                    out.write(chunk)
        except httpx.HTTPError as exc:
            raise Transient(f"pièce jointe non téléchargée : {exc}") from exc
        if checksum and base64.b64encode(digest.digest()).decode() != checksum:
            raise Transient(f"pièce jointe altérée en chemin (empreinte MD5 différente) : {url}")
    return fetch


def _dossier(client: httpx.Client, source: str, title: str, node: dict[str, Any]) -> dossiers.OnlineDossier:
    demandeur = node.get("demandeur") or {}
    if demandeur.get("__typename") == "PersonneMorale":
        requester = (demandeur.get("entreprise") or {}).get("raisonSociale") or demandeur.get("siret")
    else:
        requester = " ".join(p for p in (demandeur.get("civilite"), demandeur.get("prenom"), demandeur.get("nom"))
                             if p) or None
    fields, files = [], []
    for champ in node.get("champs") or []:
        if champ.get("__typename") == "PieceJustificativeChamp":
            for item in champ.get("files") or []:
                files.append(dossiers.OnlineFile(item["filename"],
                                                 _fetcher(client, item["url"], item.get("checksum"))))
        elif champ.get("stringValue"):
            fields.append((str(champ["label"]), str(champ["stringValue"])))
    return dossiers.OnlineDossier(
        source=source, reference=str(node["number"]), title=title, filed_at=_utc(node["dateDepot"]),
        modified_at=_utc(node["dateDerniereModification"]), state=node["state"], requester=requester,
        email=(node.get("usager") or {}).get("email"), fields=fields, files=files)


def _utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (moment - (moment.utcoffset() or timedelta())).replace(tzinfo=None)


def take_demarche(ctx: Context, spec: Demarches, counts: MutableMapping[str, int], *, actor: str,
                  dry_run: bool) -> None:
    """Counted as it goes (``counts``): a pass that stops half-way still reports what it took."""
    for key in ("dossiers", "demandes", "deja_recus", "ignores"):
        counts[key] = counts.get(key, 0)
    source = f"demarches-simplifiees:{spec.demarche}"
    since, started = dossiers.changed_since(ctx, source), ctx.clock()
    with _client(ctx, spec) as client:
        for title, nodes in _pages(client, spec, since):
            for node in nodes:
                counts["dossiers"] += 1
                if node["state"] not in spec.states:
                    counts["ignores"] += 1
                    continue
                if dossiers.known(ctx, source, str(node["number"])):
                    counts["deja_recus"] += 1
                    continue
                if dry_run:
                    continue
                taken = dossiers.take(ctx, _dossier(client, source, title, node), doc_type=spec.type,
                                      service=spec.service, mapping=spec.fields, actor=actor)
                counts["demandes"] += bool(taken.request)
    if not dry_run:
        dossiers.mark_synced(ctx, source, started)
