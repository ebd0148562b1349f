"""Write N realistic synthetic advisories into a workspace, for benchmarks and build tests.

    python benchmarks/generate.py 500 /tmp/bench-ws [--seed 1] [--with-rules]

Each advisory looks like the bundled examples: a country with a rule-library profile, one or
two threats, a severity, two or three paragraphs of event and context (about two PDF pages),
sources, and now and then targets, cities, a validity end (some past), a draft, a withdrawal
or a `supersedes` link to an earlier advisory of the same country. The same seed gives the
same files.
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
THREATS = [
    "terrorism",
    "civil_unrest",
    "crime",
    "health",
    "kidnapping",
    "natural_hazard",
    "transport_disruption",
    "armed_conflict",
]
SEVERITIES = ["informational", "notice", "warning", "critical"]
TARGETS = [
    "transport_hubs",
    "government_buildings",
    "diplomatic_missions",
    "religious_sites",
    "markets",
    "hotels_restaurants",
    "festivals_events",
    "tourist_sites",
    "protest_sites",
    "business_districts",
]
WHAT = {
    "terrorism": (
        "Security forces raised the alert level after intelligence pointed to a plot against crowded places",
        "Armed police have been deployed at stations, airports and major venues",
    ),
    "civil_unrest": (
        "Opposition groups and unions called for mass demonstrations in the capital and other cities",
        "Earlier marches of this kind ended in clashes with police and road closures",
    ),
    "crime": (
        "Police reported a sharp rise in robberies targeting visitors near tourist areas",
        "Several cases involved thieves on motorbikes snatching phones and bags",
    ),
    "health": (
        "Health authorities confirmed a growing outbreak of a mosquito-borne disease",
        "Hospitals in the affected districts report high demand for beds",
    ),
    "kidnapping": (
        "A foreign engineer was abducted on a road outside the city by armed men",
        "Kidnappings for ransom by criminal groups have increased over the past year",
    ),
    "natural_hazard": (
        "Forecasters warned of heavy rain and possible flooding over the coming days",
        "Landslides blocked several roads in hilly areas after the last storm",
    ),
    "transport_disruption": (
        "Rail and airport staff announced a strike over pay and working conditions",
        "Operators expect widespread cancellations and long queues at airports",
    ),
    "armed_conflict": (
        "Fighting between government forces and armed groups intensified near the border",
        "Shelling has damaged roads and power lines in the area",
    ),
}
FILLER = [
    "Officials said the situation remained fluid and that further announcements would follow.",
    "Local media reported that additional checkpoints were set up on the main roads into the centre.",
    "Authorities urged residents and visitors to follow the instructions of the security services.",
    "Businesses in the affected districts reduced their opening hours as a precaution.",
    "Some embassies updated their travel advice and asked citizens to register their presence.",
    "Mobile networks were briefly disrupted in parts of the city during the afternoon.",
    "Emergency services said they were prepared for a rise in call-outs over the weekend.",
    "The situation is expected to persist for several days, with a risk of further incidents.",
]


def _profiles(rules_dir: Path) -> list[dict]:
    out = []
    for path in sorted((rules_dir / "countries").glob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))["country"]
        out.append({"code": data["code"], "name": data["name"], "cities": data.get("cities", [])})
    return out


def _paragraph(rng: random.Random, lead: str, words: int) -> str:
    sentences, pool = [f"{lead}."], []
    while sum(len(s.split()) for s in sentences) < words:
        pool = pool or rng.sample(FILLER, len(FILLER))  # no sentence twice in a row of the pool
        sentences.append(pool.pop())
    return " ".join(sentences)


def advisory(rng: random.Random, i: int, profile: dict, issued: datetime, earlier: str | None) -> tuple[str, dict]:
    threats = rng.sample(THREATS, 2 if rng.random() < 0.3 else 1)
    severity = rng.choices(SEVERITIES, weights=[2, 4, 3, 1])[0]
    first, second = WHAT[threats[0]]
    aid = f"{profile['code'].lower()}-{issued:%Y-%m-%d}-{i:05d}"
    data: dict = {
        "id": aid,
        "title": f"{first.split(' ')[0]} {first.split(' ', 1)[1][:80].rsplit(' ', 1)[0]}",
        "country": profile["code"] if rng.random() < 0.5 else profile["name"],
        "issued": issued.isoformat(),
        "severity": severity,
        "threat": threats if len(threats) > 1 else threats[0],
        "summary": f"{first} in {profile['name']}. {second}.",
        "event": "\n\n".join([_paragraph(rng, f"**{first}** on {issued:%d %B}", 110), _paragraph(rng, second, 90)]),
        "context": _paragraph(rng, f"{profile['name']} has seen similar events in recent years", 120),
        "sources": [
            {
                "title": f"Report on {threats[0].replace('_', ' ')} in {profile['name']}",
                "publisher": rng.choice(["Reuters", "AFP", "BBC News", "Local press"]),
                "url": f"https://news.example.org/{aid}",
                "date": issued.date().isoformat(),
            }
        ],
    }
    if rng.random() < 0.3:
        data["targets"] = rng.sample(TARGETS, 3)
    if profile["cities"] and rng.random() < 0.3:
        data["cities"] = profile["cities"][:2]
    if rng.random() < 0.6:
        data["valid_until"] = (issued + timedelta(days=rng.choice([3, 7, 30, 90]))).isoformat()
    if rng.random() < 0.5:
        data["advice"] = [f"Monitor local media and follow the instructions of the authorities in {profile['name']}."]
    roll = rng.random()
    if roll < 0.03:
        data["status"] = "draft"
    elif roll < 0.05:
        data["status"] = "withdrawn"
        data["withdrawn"] = (issued + timedelta(days=1)).isoformat()  # when: its CAP Cancel's sent
    if earlier and rng.random() < 0.15:
        data["supersedes"] = earlier
    return aid, data


def generate(root: Path, n: int, seed: int = 1, with_rules: bool = False) -> list[Path]:
    """Write `n` advisories to `root/advisories/` (replacing any there); copy the rules if asked."""
    rng = random.Random(seed)
    if with_rules and not (root / "rules").exists():
        shutil.copytree(REPO / "rules", root / "rules")
    profiles = _profiles(REPO / "rules")
    folder = root / "advisories"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    now = datetime(2026, 11, 20, tzinfo=UTC)
    last_of: dict[str, tuple[datetime, str]] = {}
    paths = []
    for i in range(n):
        profile = rng.choice(profiles)
        issued = now - timedelta(days=rng.randint(0, 700), minutes=rng.randint(0, 1440))
        issued = issued.replace(second=0, microsecond=0)
        before = last_of.get(profile["code"])
        aid, data = advisory(rng, i, profile, issued, before[1] if before and before[0] < issued else None)
        last_of[profile["code"]] = (issued, aid)
        path = folder / f"{aid}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), "utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int)
    parser.add_argument("root", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--with-rules", action="store_true", help="copy the rule library into the workspace")
    args = parser.parse_args()
    generate(args.root, args.n, args.seed, args.with_rules)
    print(f"{args.n} advisories in {args.root / 'advisories'}")


if __name__ == "__main__":
    main()
