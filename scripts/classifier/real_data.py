"""The split of the real texts in ../shared/data/ that every lastgate figure uses.

This is the rule of src/evaluation/real-data.ts, written out again for the
Python training code (test/classifier/real-data-split.test.ts checks that both
give every id the same part):

    bucket = first 4 bytes of sha256("lastgate-real-v1:" + group), unsigned big-endian
    u = bucket / 2**32

- COLD: each comment is its own group (its id). Every row of cold/train.jsonl
  is "train"; a row of cold/dev.jsonl is "dev" when u < 0.5, else "holdout".
- Official documents: the group is the document (a work report's year, a
  congress report's congress, a regulation's title), so paragraphs of one
  document never sit on both sides: "holdout" when u < 0.25, "dev" when
  u < 0.4, else "train".

`train` may train models; `dev` chooses hyperparameters and thresholds;
`holdout` is only scored (scripts/eval.ts). Standard library only.

    python3 scripts/classifier/real_data.py [DATA_DIR]

prints one line `id<TAB>part<TAB>source` per real text (the test reads it).
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from typing import Iterator

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED_DATA_DIR = os.path.normpath(os.path.join(HERE, '..', '..', '..', 'shared', 'data'))

OFFICIAL_FILES = {
    'gov_work_reports': 'official/gov_work_reports_pre2010.jsonl',
    'cpc_congress_reports': 'official/cpc_congress_reports_pre16.jsonl',
    'shanghai_regulations': 'official/shanghai_local_regulations.jsonl',
}


def split_point(group: str) -> float:
    """u in [0, 1) of the split rule for a group."""
    digest = hashlib.sha256(f'lastgate-real-v1:{group}'.encode('utf-8')).digest()
    return int.from_bytes(digest[:4], 'big') / 2**32


def cold_part(file: str, id_: str) -> str:
    if file == 'train':
        return 'train'
    return 'dev' if split_point(id_) < 0.5 else 'holdout'


def official_part(document: str) -> str:
    u = split_point(document)
    return 'holdout' if u < 0.25 else 'dev' if u < 0.4 else 'train'


def _js_string(value: object) -> str:
    """String(value) as JavaScript writes it for the JSON values the files hold."""
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def document_of(source: str, row: dict) -> str:
    if source == 'gov_work_reports':
        return f"gov_work_report:{_js_string(row.get('date'))}"
    if source == 'cpc_congress_reports':
        return f"cpc_congress:{_js_string(row.get('congress'))}"
    return f"shanghai_regulation:{_js_string(row.get('title'))}"


def _jsonl(path: str) -> Iterator[dict]:
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def read_cold(data_dir: str = SHARED_DATA_DIR) -> list[dict]:
    """COLD's train and dev rows: {id, text, offensive, topic, part}."""
    out = []
    for file in ('train', 'dev'):
        for r in _jsonl(os.path.join(data_dir, 'cold', f'{file}.jsonl')):
            id_ = str(r['id'])
            out.append({'id': id_, 'text': str(r['text']), 'offensive': r['label'] == 1, 'topic': r['topic'], 'part': cold_part(file, id_)})
    return out


def read_official(data_dir: str = SHARED_DATA_DIR) -> list[dict]:
    """Every official paragraph: {id, source, body, document, part}."""
    out = []
    for source, path in OFFICIAL_FILES.items():
        for r in _jsonl(os.path.join(data_dir, path)):
            document = document_of(source, r)
            out.append({'id': str(r['id']), 'source': source, 'body': str(r['body']), 'document': document, 'part': official_part(document)})
    return out


def parts(data_dir: str = SHARED_DATA_DIR) -> dict[str, str]:
    """id → part for every real text."""
    out = {r['id']: r['part'] for r in read_cold(data_dir)}
    for r in read_official(data_dir):
        out[r['id']] = r['part']
    return out


if __name__ == '__main__':
    data_dir = sys.argv[1] if len(sys.argv) > 1 else SHARED_DATA_DIR
    lines = [f"{r['id']}\t{r['part']}\tcold" for r in read_cold(data_dir)]
    lines += [f"{r['id']}\t{r['part']}\t{r['source']}" for r in read_official(data_dir)]
    sys.stdout.write('\n'.join(lines) + '\n')
