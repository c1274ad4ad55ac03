"""The resident-facing texts of the default questionnaire, for checks on wording."""

import tomllib

from app.scan.questionnaire import DEFAULT_PATH


def dutch_texts() -> dict[str, str]:
    """Every resident-facing Dutch text of the default questionnaire, by a path-like name."""
    with DEFAULT_PATH.open("rb") as file:
        data = tomllib.load(file)
    texts: dict[str, str] = {}
    for section in ("intro", "thanks"):
        for name, value in data[section].items():
            texts[f"{section}.{name}"] = value["nl"]
    for page, page_texts in data["pages"].items():
        for name, value in page_texts.items():
            texts[f"pages.{page}.{name}"] = value["nl"]
    for key, scale in data["scales"].items():
        for point in scale["points"]:
            texts[f"scales.{key}.points.{point['value']}"] = point["label"]["nl"]
        texts[f"scales.{key}.opt_out"] = scale["opt_out"]["label"]["nl"]
    for pijler in data["pijlers"]:
        for name in ("name", "short", "explanation"):
            texts[f"pijlers.{pijler['key']}.{name}"] = pijler[name]["nl"]
    for question in data["questions"]:
        for name in ("text", "help"):
            if name in question:
                texts[f"questions.{question['key']}.{name}"] = question[name]["nl"]
        for option in question.get("options", []):
            texts[f"questions.{question['key']}.options.{option['value']}"] = option["label"]["nl"]
    return texts
