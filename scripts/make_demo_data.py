#!/usr/bin/env python3
"""Builds resources/demo/fortunes_ru.csv from Debian's fortunes-ru package (GPL-2).

Each fortune becomes one row; its label is the topic file it comes from. Attribution lines
("-- Author") are dropped so that the classifier has to read the text itself.
Usage: apt-get download fortunes-ru && dpkg -x fortunes-ru_*.deb fr &&
       python3 scripts/make_demo_data.py fr/usr/share/games/fortunes/ru resources/demo/fortunes_ru.csv
"""
import csv
import re
import sys

TOPICS = ["love", "polit", "computer", "education"]


def fortunes(path):
    with open(path, encoding="utf-8") as f:
        for chunk in f.read().split("\n%\n"):
            lines = [l.rstrip() for l in chunk.strip("\n").split("\n")]
            lines = [l for l in lines if not re.match(r"^\s*--\s", l)]
            text = "\n".join(lines).strip()
            if text and text != "%":
                yield text


def main(src, dst):
    with open(dst, "w", encoding="utf-8", newline="") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["text", "label"])
        for topic in TOPICS:
            for text in fortunes(f"{src}/{topic}"):
                w.writerow([text, topic])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
