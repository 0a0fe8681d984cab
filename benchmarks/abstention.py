"""Fit the confidence model (``assistant/data/confidence.json``) on held-out splits of the sample sets.

Run: ``python -m benchmarks.abstention [--workdir DIR] [--write] [--no-reader]``: with the reader on (the
default) it fits ``confidence-reader.json`` over ``READER_FEATURES``; with ``--no-reader``,
``confidence.json`` over ``FEATURES``. For each set (SQuAD, CoQA,
COVID-QA) and each of its sources in turn, an index is built without that source; its questions are
then unanswerable (label 0), asked as the user would (CoQA's as conversations). The answerable
questions of the same set, asked against the whole index, are label 1. A logistic regression over the
features of each question's best snippet is fitted on all of it; with the reader, two: one for
questions asked alone, one for follow-ups standing on an earlier answer (``fit_model``). The default
bar puts answering first: the highest bar at which every set still answers at least ANSWER_TARGET of
its answerable questions, so that as many held-out questions abstain as that allows (the issue's aim
is ABSTAIN_TARGET of them; the report says how far each split gets). It prints each split's figures and, to show that the
fit transfers, each set scored by a model fitted on the two other sets only; and, first, the model the
package ships, at its bar, on the same questions (what a user gets today, beside what a refit would
give). ``--write`` stores the refitted model in the package. Its bar is then chosen with it shipped,
by ``--bar-only --write``, which asks every question again at the bars it tries
(``ask_for_bar``: a follow-up's features depend on the bar the turn before was answered at).

Builds reuse the vectors of the full index (only the held-out file is dropped), so a split costs the
writing of an index, not an embedding.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant import Assistant
from assistant.answers.confidence import (
    FEATURES, MODEL_FILES, READER_FEATURES, ConfidenceModel, Regression, shipped_model, stands_on_an_answer,
)
from assistant.evaluation.run import EvalQuestion, Judge, conversations_of
from assistant.models import Conversation

from .quality import SETS, QuestionSet, project

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"
ABSTAIN_TARGET = 0.95
ANSWER_TARGET = 0.97
L2 = 1.0  # ridge penalty on the standardised weights (the intercept is not penalised)
# How many bars --bar-only asks at, at most (each asks every question again: about 4.5 minutes here).
BAR_ROUNDS = 4
BARS = tuple(round(x, 2) for x in np.arange(0.05, 0.96, 0.01))


@dataclass(frozen=True)
class Example:
    """One question's best snippet: its features, whether the sources answer it (label), its set and split."""

    features: tuple[float, ...]
    label: int
    set: str
    split: str
    hit: bool  # the best snippet holds the answer (answerable questions only)
    # It names something the sources never mention: it abstains whatever the model says.
    unmentioned: bool = False


def ask_all(
    assistant: Assistant, questions: list[EvalQuestion], judge: Judge | None, features: tuple[str, ...]
) -> list[tuple[tuple[float, ...], bool, bool]]:
    """Each question's best-snippet ``features``, whether its first snippet hits, and whether it names
    something the sources never mention; asked in conversations where the set has them."""
    out = []
    for chat in conversations_of(questions):
        conversation = Conversation()
        for q in chat:
            trace = assistant.trace(q.question, k=3, conversation=conversation)
            conversation = conversation.then(trace.answer)
            if not trace.features:  # nothing matched at all: it abstains whatever the model says
                out.append((tuple(0.0 for _ in features), False, False))
                continue
            snippet = trace.answer.snippets[0]
            c = snippet.citation
            hit = bool(judge and q.answerable and judge.hits(q, c.source, c.start, c.end, snippet.text))
            out.append((tuple(trace.features[0][name] for name in features), hit, bool(trace.unmentioned)))
    return out


def answered_in_order(questions: list[EvalQuestion]) -> list[EvalQuestion]:
    """The questions in the order ``ask_all`` asks them (conversation by conversation)."""
    return [q for chat in conversations_of(questions) for q in chat]


def collect(qs: QuestionSet, root: Path, reader: bool, bar: float | None = None) -> list[Example]:
    """The set's examples: answerable questions against the whole index, and each source held out;
    asked at ``bar`` (the shipped model's own where None)."""
    questions = qs.questions()
    names = READER_FEATURES if reader else FEATURES
    config_text = f"[answer]\nreader = {'true' if reader else 'false'}\n"
    if bar is not None:
        config_text += f"min_confidence = {bar}\n"
    examples: list[Example] = []
    whole = Assistant.open(project(root / qs.name / "all", qs.sources, config_text))
    whole.build_index()
    judge = Judge(qs.scoring, whole.read_source, qs.min_overlap)
    # Every question against the whole index, in its conversation: the answerable ones are label 1; the
    # ones the set marks as not answered by their own source (SQuAD 2.0's, CoQA's "unknown") label 0.
    for q, (features, hit, unmentioned) in zip(answered_in_order(questions), ask_all(whole, questions, judge, names)):
        examples.append(Example(features, int(q.answerable), qs.name, "all" if q.answerable else "unanswerable", hit, unmentioned))
    by_source: dict[str, list[EvalQuestion]] = {}
    for q in questions:
        by_source.setdefault(q.source or "", []).append(q)
    for held in qs.sources:
        asked = by_source.get(held.name, [])
        if not asked:
            continue
        config = project(root / qs.name / "held-out", [s for s in qs.sources if s != held], config_text)
        # Start from the whole index (hard links): the update then only drops the held-out file.
        shutil.rmtree(config.parent / "index", ignore_errors=True)
        shutil.copytree(whole.config.index_dir, config.parent / "index", copy_function=os.link)
        assistant = Assistant.open(config)
        assistant.build_index()
        for values, _, unmentioned in ask_all(assistant, asked, None, names):
            examples.append(Example(values, 0, qs.name, held.name, False, unmentioned))
        print(f"  {qs.name}: held out {held.name} ({len(asked)} questions)", file=sys.stderr, flush=True)
    return examples


def fit(x: np.ndarray, y: np.ndarray) -> Regression:
    """An L2-regularised logistic regression over standardised features (Newton's method)."""
    means = x.mean(axis=0)
    scales = x.std(axis=0)
    scales[scales < 1e-6] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - means) / scales])
    # Each class weighs as much as the other: the sets hold far more answerable questions.
    sample = np.where(y == 1, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))
    theta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], L2)
    penalty[0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(z @ theta, -40, 40)))
        gradient = z.T @ (sample * (p - y)) + penalty * theta
        hessian = (z * (sample * p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.abs(step).max() < 1e-8:
            break
    return Regression(
        means=tuple(float(v) for v in means), scales=tuple(float(v) for v in scales),
        weights=tuple(float(v) for v in theta[1:]), intercept=float(theta[0]),
    )


def fit_model(x: np.ndarray, y: np.ndarray, used: list[str], following: np.ndarray, reader: bool) -> ConfidenceModel:
    """The ``ConfidenceModel`` fitted on these questions (its bar not chosen yet): with the reader, a
    regression for questions asked alone and one for follow-ups standing on an earlier answer
    (``following``); without it, or where the questions hold no follow-ups of both labels (a set of
    questions asked alone), one for all."""
    if not reader or len(set(y[following])) < 2:
        return ConfidenceModel(features=tuple(used), alone=fit(x, y), default_bar=0.5)
    return ConfidenceModel(
        features=tuple(used), alone=fit(x[~following], y[~following]), default_bar=0.5,
        follow_up=fit(x[following], y[following]),
    )


def model_probabilities(model: ConfidenceModel, x: np.ndarray, names: list[str] | tuple[str, ...]) -> np.ndarray:
    """The model's probability for each row of ``x`` (its columns named by ``names``)."""
    return np.array([model.probability(dict(zip(names, row))) for row in x])


def as_answered(p: np.ndarray, examples: list[Example]) -> np.ndarray:
    """The model's probabilities as the answers use them: 0 for a question naming something the sources
    never mention, which abstains whatever the model says (the figures left those out until 2026-12-07,
    and so understated how often held-out questions abstain)."""
    return np.where([e.unmentioned for e in examples], 0.0, p)


def rates(p: np.ndarray, examples: list[Example], bar: float) -> dict[str, tuple[float, float]]:
    """Per set: (share of held-out questions abstained, share of answerable questions answered)."""
    p = as_answered(p, examples)
    out = {}
    for name in sorted({e.set for e in examples}):
        rows = [i for i, e in enumerate(examples) if e.set == name]
        held = [i for i in rows if examples[i].label == 0 and examples[i].split != "unanswerable"]
        kept = [i for i in rows if examples[i].label == 1]
        out[name] = (float(np.mean(p[held] < bar)) if held else 1.0, float(np.mean(p[kept] >= bar)) if kept else 1.0)
    return out


def choose_bar(p: np.ndarray, examples: list[Example]) -> float:
    """The default bar: answering comes first. The highest bar at which every set still answers at
    least ANSWER_TARGET of its answerable questions (an abstention on a question the sources answer is
    the failure a user meets most), so that as many held-out questions abstain as that allows; where
    no bar reaches both targets, the user raises it (the trade-off table shows what that costs)."""
    answering = [bar for bar in BARS if all(b >= ANSWER_TARGET for _, b in rates(p, examples, bar).values())]
    return max(answering) if answering else min(BARS)


def report(title: str, p: np.ndarray, examples: list[Example], bar: float) -> None:
    print(f"## {title} (bar {bar:.2f})")
    for name, (abstained, answered) in rates(p, examples, bar).items():
        inside = [i for i, e in enumerate(examples) if e.set == name and e.split == "unanswerable"]
        also = f"  its own unanswerable abstained {np.mean(as_answered(p, examples)[inside] < bar):.3f} ({len(inside)})" if inside else ""
        print(f"  {name:8} held-out abstained {abstained:.3f}  answerable answered {answered:.3f}{also}")


def split_report(p: np.ndarray, examples: list[Example], bar: float) -> None:
    print(f"## every held-out split (bar {bar:.2f}): share of its questions abstained")
    p = as_answered(p, examples)
    for name in sorted({e.set for e in examples}):
        splits: dict[str, list[float]] = {}
        for i, e in enumerate(examples):
            if e.set == name and e.label == 0 and e.split != "unanswerable":
                splits.setdefault(e.split, []).append(float(p[i] < bar))
        shares = sorted((float(np.mean(v)), s, len(v)) for s, v in splits.items())
        below = [f"{s} {share:.2f} ({n})" for share, s, n in shares if share < ABSTAIN_TARGET]
        print(f"  {name}: {len(shares)} splits, worst {shares[0][0]:.3f}, median {shares[len(shares) // 2][0]:.3f}; "
              f"{len(below)} below {ABSTAIN_TARGET}: {', '.join(below) or 'none'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="squad,coqa,covidqa")
    parser.add_argument("--workdir", type=Path, help="keep the indexes here between runs")
    parser.add_argument("--examples", type=Path, help="save (or, with --reuse, load) the collected examples here")
    parser.add_argument("--reuse", action="store_true", help="fit on the saved examples instead of asking again")
    parser.add_argument("--no-reader", action="store_true", help="answer without the reader (fits confidence.json)")
    parser.add_argument("--write", action="store_true", help="write the fitted model into the package")
    parser.add_argument("--features", help="which features the model uses (default: all of the reader setting's)")
    parser.add_argument("--bar-only", action="store_true",
                        help="keep the shipped model's weights and choose only its bar, asking every question at each bar tried")
    args = parser.parse_args(argv)
    reader = not args.no_reader
    every = READER_FEATURES if reader else FEATURES
    model_path = PACKAGE / MODEL_FILES[reader]
    names = [n for n in args.sets.split(",") if n]
    if args.bar_only:
        if args.reuse:
            parser.error("--bar-only asks the questions again at each bar it tries: it cannot --reuse")
        with tempfile.TemporaryDirectory() as tmp:
            return ask_for_bar(names, args.workdir or Path(tmp), reader, model_path, args.write)
    if args.reuse and args.examples:
        saved = json.loads(args.examples.read_text())
        if not isinstance(saved, dict) or saved.get("features") != list(every):
            parser.error(f"{args.examples} holds examples of other features than these: collect them again")
        examples = [Example(tuple(e[0]), e[1], e[2], e[3], e[4], bool(e[5]) if len(e) > 5 else False) for e in saved["examples"]]
    else:
        with tempfile.TemporaryDirectory() as tmp:
            root = args.workdir or Path(tmp)
            examples = [e for name in names for e in collect(SETS[name], root, reader)]
        if args.examples:
            rows = [[list(e.features), e.label, e.set, e.split, e.hit, e.unmentioned] for e in examples]
            args.examples.write_text(json.dumps({"features": list(every), "examples": rows}))
    used = [f for f in (args.features or ",".join(every)).split(",") if f]
    columns = [every.index(f) for f in used]
    x = np.array([e.features for e in examples], dtype=np.float64)[:, columns]
    y = np.array([e.label for e in examples], dtype=np.float64)
    # With the reader, a question with an earlier answer to stand on has a regression of its own.
    following = np.array([stands_on_an_answer(dict(zip(every, e.features))) for e in examples])
    # Does it transfer? Each set scored by a model fitted on the others only.
    for name in names:
        train = np.array([e.set != name for e in examples])
        if train.all() or not train.any():
            continue
        p = model_probabilities(fit_model(x[train], y[train], used, following[train], reader), x, used)
        bar = choose_bar(p[train], [e for e, t in zip(examples, train) if t])
        report(f"{name} scored by a model fitted on the other sets", p[~train], [e for e, t in zip(examples, train) if not t], bar)
    shipped = shipped_model(reader)
    if list(shipped.features) == used:  # what the package answers with today, beside what a refit would
        p = model_probabilities(shipped, x, used)
        report(f"the shipped model (assistant/{MODEL_FILES[reader]})", p, examples, shipped.default_bar)
        split_report(p, examples, shipped.default_bar)
    else:
        print("## the shipped model uses other features than these: not reported", flush=True)
    model = fit_model(x, y, used, following, reader)
    p = model_probabilities(model, x, used)
    bar = choose_bar(p, examples)
    report("fitted on every set", p, examples, bar)
    split_report(p, examples, bar)
    print("## trade-off: bar -> held-out abstained / answerable answered, per set")
    for trial in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, bar):
        print(f"  {trial:.2f}: " + "  ".join(f"{n} {a:.3f}/{b:.3f}" for n, (a, b) in rates(p, examples, trial).items()))
    regressions = {"asked alone": model.alone} if model.follow_up is None else {
        "asked alone": model.alone, "follow-ups standing on an answer": model.follow_up,
    }
    for title, regression in regressions.items():
        print(f"## weights (standardised features), {title}")
        for name, w in sorted(zip(used, regression.weights), key=lambda item: -abs(item[1])):
            print(f"  {name:18} {w:+.3f}")
    if args.write:
        stored = {
            "features": used,
            **model.alone.to_json(),
            **({"follow_up": model.follow_up.to_json()} if model.follow_up is not None else {}),
            "default_bar": bar,
            "fitted_on": f"python -m benchmarks.abstention{'' if reader else ' --no-reader'}: held-out splits of {', '.join(names)}; "
            f"{int(y.sum())} answerable and {int(len(y) - y.sum())} held-out questions"
            + (f"; {int(following.sum())} of all the questions follow-ups standing on an answer" if model.follow_up else ""),
        }
        model_path.write_text(json.dumps(stored, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {model_path}")
    return 0


def ask_for_bar(names: list[str], root: Path, reader: bool, model_path: Path, write: bool) -> int:
    """The shipped model's bar chosen where the model, asked at that very bar, keeps the rule
    (``--bar-only``); 1 when no bar asked keeps it (nothing is written then).

    A follow-up's features depend on the bar the turn before was answered at: an abstention leaves it
    no place to stand on (no ``focused``, ``stay`` or ``footing``), so a doubtful answer makes the
    follow-ups after it doubtful too, and questions asked at one bar tell what another would do only
    for questions asked alone. So the bar is asked, not read off: ask every question at a bar, see which
    bar the rule would choose on those answers, ask again halfway there (there itself once it is near),
    for at most BAR_ROUNDS rounds; the bar kept is the highest asked at which every set answered
    ANSWER_TARGET in its own conversations, and the figures printed for it are what a user gets."""
    shipped = shipped_model(reader)
    every = READER_FEATURES if reader else FEATURES
    bar = shipped.default_bar
    asked: dict[float, dict[str, tuple[float, float]]] = {}
    # A set without conversations is asked once: a question asked alone has the same features at any bar.
    alone = {
        name: collect(SETS[name], root, reader) for name in names if not any(q.conversation for q in SETS[name].questions())
    }
    for attempt in range(BAR_ROUNDS):
        examples = [e for name in names for e in (alone[name] if name in alone else collect(SETS[name], root, reader, bar))]
        p = model_probabilities(shipped, np.array([e.features for e in examples], dtype=np.float64), every)
        asked[bar] = rates(p, examples, bar)
        report(f"asked at its bar, round {attempt + 1}", p, examples, bar)
        split_report(p, examples, bar)
        chosen = choose_bar(p, examples)
        print(f"  on these answers the rule would choose {chosen:.2f}", flush=True)
        # Halfway there (the answers move with the bar), or there itself once it is near.
        next_bar = chosen if abs(chosen - bar) <= 0.02 else round((bar + chosen) / 2, 2)
        if chosen == bar or next_bar in asked:
            break
        bar = next_bar
    keeping = [b for b, r in asked.items() if all(answered >= ANSWER_TARGET for _, answered in r.values())]
    if not keeping:
        print(f"no bar asked ({', '.join(f'{b:.2f}' for b in sorted(asked))}) kept the rule: nothing written", file=sys.stderr)
        return 1
    bar = max(keeping)
    print(f"## the bar kept: {bar:.2f} (asked at {', '.join(f'{b:.2f}' for b in sorted(asked))})")
    for name, (abstained, answered) in asked[bar].items():
        print(f"  {name:8} held-out abstained {abstained:.3f}  answerable answered {answered:.3f}")
    if write:
        model = json.loads(model_path.read_text(encoding="utf-8"))
        model["default_bar"] = bar
        model["bar_chosen_on"] = (
            f"python -m benchmarks.abstention --bar-only: every question of {', '.join(names)} asked at "
            f"{', '.join(f'{b:.2f}' for b in sorted(asked))}; the highest keeping the rule"
        )
        model_path.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        print(f"wrote the bar {bar:.2f} into {model_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
