"""``python -m pgwatch.grafana DIR``: write the dashboards' JSON and provisioning into DIR."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pgwatch.grafana.dashboards import DASHBOARDS
from pgwatch.grafana.model import render

PROVISIONING = """\
# Grafana provisioning for the pgwatch dashboards: copy this file to
# /etc/grafana/provisioning/dashboards/ and the *.json files to the path below.
apiVersion: 1
providers:
  - name: pgwatch
    folder: pgwatch
    type: file
    disableDeletion: false
    allowUiUpdates: true
    updateIntervalSeconds: 60
    options:
      path: /var/lib/grafana/dashboards/pgwatch
"""


def files() -> dict[str, str]:
    """File name -> content for every dashboard and the provisioning file."""
    out = {f"{d.uid.removeprefix('pgwatch-')}.json": json.dumps(render(d), indent=2) + "\n"
           for d in DASHBOARDS}
    out["provisioning.yaml"] = PROVISIONING
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m pgwatch.grafana dashboards/", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files().items():
        (folder / name).write_text(content, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
