"""`python -m stagestudio eval ...`: benchmark scoring (GenEval, WISE)."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import stagestudio
from stagestudio.cli import CliError
from stagestudio.cli.backend_args import add_backend_arguments, backend_from_args
from stagestudio.cli.remote_args import add_fanout_arguments, check_concurrency, endpoint_report
from stagestudio.eval import geneval, harness, report, wise


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("eval", help="benchmark generation and scoring (GenEval, WISE)")
    sub = parser.add_subparsers(dest="eval_command", metavar="EVAL_COMMAND")
    sub.required = True

    cases = sub.add_parser(
        "score-cases",
        help="run GenEval scoring cases (injected detections + colours) through our scorer",
        description="Score every line of a GenEval scoring-case file (the format of "
        "shared/data/geneval/scoring_cases.jsonl), print each disagreement with the expected "
        "verdict, then the agreement rate. Exit status 0 only when every case agrees.",
    )
    cases.add_argument("file", type=Path, help="scoring cases, one JSON object per line")
    cases.add_argument("--verbose", "-v", action="store_true", help="also list agreeing cases")
    cases.set_defaults(func=run_score_cases)

    gen = sub.add_parser(
        "geneval",
        help="generate GenEval's image folders with a backend through the loop engine",
        description="Generate <out>/<index>/metadata.jsonl and <out>/<index>/samples/NNNN.png "
        "for GenEval's prompts (resumable: existing images are kept).",
    )
    _add_backend_options(gen)
    gen.add_argument("--images-per-prompt", type=int, default=4)
    gen.add_argument("--out", required=True, help="output folder")
    gen.add_argument("--tags", nargs="+", default=None, metavar="TAG",
                     help=f"only these tags ({', '.join(geneval.TAGS)})")
    gen.add_argument("--per-tag", type=int, default=None, metavar="N",
                     help="only the first N prompts of each tag (a quick balanced sample)")
    gen.add_argument("--metadata", type=Path, default=None,
                     help="GenEval metadata (default: shared/data/geneval/evaluation_metadata.jsonl)")
    add_fanout_arguments(gen)
    gen.set_defaults(func=run_geneval)

    score = sub.add_parser(
        "score",
        help="score GenEval image folders; write results.json, a markdown table and an HTML page",
        description="Score one GenEval folder, or two (one-shot and staged) side by side.",
    )
    score.add_argument("folders", nargs="+", metavar="DIR")
    score.add_argument("--detector", choices=("sketchbook", "mask2former"), default="mask2former",
                       help="mask2former: GenEval's Mask2Former + CLIP colours (needs weights); "
                       "sketchbook: the offline sticker matcher")
    score.add_argument("--report-dir", default=None,
                       help="where report.md/.html go (default: the folder, or the parent of "
                       "the first of two)")
    score.add_argument("--mask2former", default=None, help="Mask2Former hub id or local folder")
    score.add_argument("--clip", default=None, help="CLIP hub id or local folder")
    score.add_argument("--device", default=None, help="cuda or cpu (default: cuda if available)")
    score.add_argument("--allow-download", action="store_true",
                       help="fetch missing weights from the Hugging Face hub")
    score.add_argument("--options", nargs="+", default=[], metavar="KEY=VALUE",
                       help="GenEval evaluator options: threshold, counting_threshold, "
                       "max_objects, max_overlap, position_threshold (defaults 0.3, 0.9, 16, "
                       "1.0, 0.1)")
    score.set_defaults(func=run_score)

    wise_gen = sub.add_parser(
        "wise",
        help="generate WISE's images (<out>/images/<prompt_id>.png) and summarise judge scores",
    )
    _add_backend_options(wise_gen)
    wise_gen.add_argument("--out", required=True, help="output folder")
    wise_gen.add_argument("--categories", nargs="+", default=None, metavar="CATEGORY")
    wise_gen.add_argument("--data", type=Path, default=None,
                          help="WISE data (default: shared/data/wise/final_data.json)")
    wise_gen.add_argument("--judge", default=None, metavar="MODULE:FACTORY",
                          help="judge the images with the WiseJudge that FACTORY() in MODULE "
                          "returns; writes OUT/scores.jsonl and the summary")
    wise_gen.add_argument("--scores", nargs="+", default=None, metavar="SCORES.jsonl",
                          help="judge scores to summarise (WISE's score-file format)")
    wise_gen.set_defaults(func=run_wise)

    wise_sum = sub.add_parser(
        "wise-summary",
        help="WiScore per category and overall from judge score files (WISE's format)",
    )
    wise_sum.add_argument("scores", nargs="+", metavar="SCORES.jsonl")
    wise_sum.add_argument("--data", type=Path, default=None)
    wise_sum.add_argument("--out", default=None, help="also write wise_summary.json/.md here")
    wise_sum.set_defaults(func=run_wise_summary)


def run_score_cases(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        raise CliError(f"no scoring-case file at {path}")
    try:
        cases = geneval.load_scoring_cases(path)
    except geneval.ScoringCaseError as exc:
        raise CliError(str(exc)) from exc
    if not cases:
        raise CliError(f"{path} holds no scoring cases")
    agreed = 0
    for case in cases:
        try:
            outcome = geneval.run_scoring_case(case)
        except (KeyError, IndexError, ValueError) as exc:
            print(f"MISMATCH {case.id} ({case.tag}): scorer failed: {exc!r}")
            continue
        if outcome.agrees:
            agreed += 1
            if args.verbose:
                print(f"ok {case.id} ({case.tag}) correct={outcome.verdict.correct}")
            continue
        print(f"MISMATCH {case.id} ({case.tag}, {case.scenario})")
        for line in outcome.mismatches:
            print(f"  {line}")
        print(f"  metadata: {json.dumps(case.metadata)}")
    print(geneval.agreement_line(agreed, len(cases)))
    return 0 if agreed == len(cases) else 1


# --------------------------------------------------------------------------- shared helpers


def shared_dir() -> Path:
    """The shared material: $STAGESTUDIO_SHARED, else ../shared beside the repository."""
    env = os.environ.get("STAGESTUDIO_SHARED")
    return Path(env) if env else Path(stagestudio.__file__).resolve().parent.parent.parent / "shared"


def _progress_bar(total: int, desc: str):
    """A tqdm bar on stderr (plain lines on stdout if tqdm is missing); returns (update, close)."""
    try:
        from tqdm import tqdm
    except ImportError:  # tqdm is a runtime dependency, but a bar is not worth failing for
        tqdm = None
    if tqdm is not None:
        bar = tqdm(total=total, desc=desc, unit="img", dynamic_ncols=True)

        def update(done: int, _total: int, label: str) -> None:
            bar.n = done
            bar.set_postfix_str(label, refresh=False)
            bar.refresh()

        return update, bar.close

    def update_plain(done: int, total_: int, label: str) -> None:
        print(f"{desc}: {done}/{total_} {label}", flush=True)

    return update_plain, (lambda: None)


def _add_backend_options(parser: argparse.ArgumentParser) -> None:
    add_backend_arguments(parser)
    parser.add_argument("--mode", choices=harness.MODES, default="staged",
                        help="staged: the full loop; oneshot: one step, no refinement")
    parser.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    parser.add_argument("--max-refines", type=int, default=2)
    parser.add_argument("--max-steps", type=int, default=8)
    parser.add_argument("--limit", type=int, default=None, help="only the first N prompts")


def _make_generator(args: argparse.Namespace) -> harness.LoopGenerator:
    if args.limit is not None and args.limit < 1:
        raise CliError("--limit must be at least 1")
    backend = backend_from_args(args)
    try:
        return harness.LoopGenerator(backend, args.mode, max_refines=args.max_refines,
                                     max_steps=args.max_steps)
    except ValueError as exc:
        raise CliError(str(exc)) from exc


def _print_generation(report: harness.GenerationReport, out: Path) -> int:
    print(f"made {report.made} image(s), kept {report.skipped} existing, "
          f"{len(report.failed)} failed; output in {out}")
    if report.images_per_minute is not None:
        retried = f", {report.retried} session(s) redone after a server went away" if report.retried else ""
        print(f"{report.images_per_minute:.1f} images/minute ({report.made} in {report.elapsed_s:.1f} s{retried})")
    for line in report.failed[:20]:
        print(f"  failed {line}")
    if len(report.failed) > 20:
        print(f"  ... and {len(report.failed) - 20} more")
    return 0 if not report.failed else 1


# --------------------------------------------------------------------------- eval geneval


def run_geneval(args: argparse.Namespace) -> int:
    metadata_path = args.metadata or shared_dir() / "data" / "geneval" / "evaluation_metadata.jsonl"
    if not Path(metadata_path).is_file():
        raise CliError(f"no GenEval metadata at {metadata_path} (pass --metadata)")
    if args.images_per_prompt < 1:
        raise CliError("--images-per-prompt must be at least 1")
    metadata = harness.load_geneval_metadata(metadata_path)
    unknown = set(args.tags or []) - set(geneval.TAGS)
    if unknown:
        raise CliError(f"unknown tag(s) {', '.join(sorted(unknown))}; "
                       f"GenEval's tags: {', '.join(geneval.TAGS)}")
    if args.per_tag is not None and args.per_tag < 1:
        raise CliError("--per-tag must be at least 1")
    prompts = harness.select_prompts(metadata, args.tags, args.limit, args.per_tag)
    concurrency = check_concurrency(args)
    generator = _make_generator(args)
    out = Path(args.out)
    update, close = _progress_bar(len(prompts) * args.images_per_prompt,
                                  f"geneval {args.mode}")
    try:
        report = harness.generate_geneval(generator, prompts, out,
                                          images_per_prompt=args.images_per_prompt,
                                          seed=args.seed, progress=update, concurrency=concurrency)
    except (harness.RunMismatch, ValueError) as exc:
        raise CliError(str(exc)) from exc
    finally:
        close()
        generator.backend.close()
    for line in endpoint_report(generator.backend):
        print(line)
    return _print_generation(report, out)


# --------------------------------------------------------------------------- eval score


def _scoring_models(args: argparse.Namespace) -> harness.GenevalModels:
    if args.detector == "sketchbook":
        from stagestudio.backends.sketchbook.detector import SketchbookDetector

        return harness.DetectorModels(SketchbookDetector())
    from stagestudio.inspector.detectors import WeightsUnavailable
    from stagestudio.inspector.detectors.clip_color import DEFAULT_CLIP, ClipColorClassifier
    from stagestudio.inspector.detectors.mask2former import (
        DEFAULT_MASK2FORMER,
        Mask2FormerDetector,
    )

    try:
        detector = Mask2FormerDetector.from_pretrained(
            args.mask2former or DEFAULT_MASK2FORMER, device=args.device,
            allow_download=args.allow_download)
        colors = ClipColorClassifier.from_pretrained(
            args.clip or DEFAULT_CLIP, device=args.device, allow_download=args.allow_download)
    except WeightsUnavailable as exc:
        raise CliError(str(exc)) from exc
    return harness.Mask2FormerModels(detector, colors)


def scoring_config(options: list[str]) -> geneval.ScoringConfig:
    """A ScoringConfig from GenEval-style KEY=VALUE options."""
    fields = {"threshold": float, "counting_threshold": float, "max_objects": int,
              "max_overlap": float, "position_threshold": float}
    values: dict[str, float | int] = {}
    for option in options:
        key, sep, raw = option.partition("=")
        if not sep or key not in fields:
            raise CliError(f"bad option {option!r}; use KEY=VALUE with KEY one of "
                           f"{', '.join(fields)}")
        try:
            values[key] = fields[key](raw)
        except ValueError:
            raise CliError(f"option {key} needs a number, got {raw!r}") from None
    return geneval.ScoringConfig(**values)


def run_score(args: argparse.Namespace) -> int:
    folders = [Path(f) for f in args.folders]
    if len(folders) > 2:
        raise CliError("give one folder, or two (one-shot and staged) to compare")
    for folder in folders:
        if not folder.is_dir() or not harness.geneval_samples(folder):
            raise CliError(f"{folder} is not a GenEval image folder "
                           "(expected <index>/metadata.jsonl and <index>/samples/*.png)")
    config = scoring_config(args.options)
    models = _scoring_models(args)
    runs = []
    for folder in folders:
        total = sum(len(p[2]) for p in harness.geneval_samples(folder))
        update, close = _progress_bar(total, f"score {folder.name}")
        try:
            rows = harness.score_geneval_folder(folder, models, config=config, progress=update)
        finally:
            close()
        run = report.ScoredRun(report.run_label(folder), folder, rows, detector=models.name)
        runs.append(run)
        print(f"wrote {report.write_results(run)}")
    if len(runs) == 2 and runs[0].label == runs[1].label:
        for run in runs:
            run.label = f"{run.label} · {run.folder.name}"
    report_dir = Path(args.report_dir) if args.report_dir else (
        folders[0] if len(folders) == 1 else folders[0].parent)
    report_dir.mkdir(parents=True, exist_ok=True)
    stem = "report" if len(folders) == 1 else "comparison"
    md = report.write_markdown(runs, report_dir / f"{stem}.md")
    page = report.write_html(runs, report_dir / f"{stem}.html")
    print(report.markdown_table(runs))
    print(f"wrote {md} and {page}")
    return 0


# --------------------------------------------------------------------------- eval wise


def _wise_prompts(args: argparse.Namespace) -> list[wise.WisePrompt]:
    data = args.data or shared_dir() / "data" / "wise" / "final_data.json"
    try:
        prompts = wise.load_wise_prompts(data)
    except wise.WiseDataError as exc:
        raise CliError(str(exc)) from exc
    return prompts


def run_wise(args: argparse.Namespace) -> int:
    prompts = _wise_prompts(args)
    selected = prompts
    if args.categories:
        known = {p.category for p in prompts}
        unknown = set(args.categories) - known
        if unknown:
            raise CliError(f"unknown categor(ies) {', '.join(sorted(unknown))}; "
                           f"WISE's: {', '.join(sorted(known))}")
        selected = [p for p in prompts if p.category in set(args.categories)]
    if args.limit is not None:
        selected = selected[: args.limit]
    judge = _load_judge(args.judge) if args.judge else None  # fail before generating
    generator = _make_generator(args)
    out = Path(args.out)
    update, close = _progress_bar(len(selected), f"wise {args.mode}")
    try:
        made = harness.generate_wise(generator, selected, out, seed=args.seed, progress=update)
    except harness.RunMismatch as exc:
        raise CliError(str(exc)) from exc
    finally:
        close()
        generator.backend.close()
    status = _print_generation(made, out)
    if judge is not None:
        update, close = _progress_bar(len(selected), f"judge {judge.name}")
        try:
            harness.judge_wise_folder(judge, selected, out, progress=update)
        finally:
            close()
        args.scores = [str(out / "scores.jsonl"), *(args.scores or [])]
    if args.scores:
        status = max(status, _summarise_scores(prompts, [Path(p) for p in args.scores], out))
    else:
        print("no judge scores given: judge the images in "
              f"{out / 'images'} (a WiseJudge, or WISE's GPT-4o script) and run "
              "`eval wise-summary SCORES.jsonl`")
    return status


def _load_judge(spec: str) -> wise.WiseJudge:
    import importlib

    module_name, sep, factory_name = spec.partition(":")
    if not sep or not module_name or not factory_name:
        raise CliError(f"--judge takes MODULE:FACTORY, got {spec!r}")
    try:
        factory = getattr(importlib.import_module(module_name), factory_name)
    except (ImportError, AttributeError) as exc:
        raise CliError(f"cannot load judge {spec!r}: {exc}") from exc
    judge = factory()
    if not isinstance(judge, wise.WiseJudge):
        raise CliError(f"{spec} returned {type(judge).__name__}, not a WiseJudge")
    return judge


def _summarise_scores(prompts: list[wise.WisePrompt], files: list[Path],
                      out: Path | None) -> int:
    judgements: list[wise.ImageJudgement] = []
    for path in files:
        if not path.is_file():
            raise CliError(f"no score file at {path}")
        try:
            judgements.extend(wise.read_score_file(path))
        except wise.WiseDataError as exc:
            raise CliError(str(exc)) from exc
    summary = wise.summarize_wise(prompts, judgements)
    print(summary.markdown())
    if summary.overall is None:
        print("overall WiScore withheld: some categories are incomplete or have failed judgements")
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "wise_summary.json").write_text(json.dumps(summary.to_json(), indent=2))
        (out / "wise_summary.md").write_text(summary.markdown() + "\n")
        print(f"wrote {out / 'wise_summary.json'}")
    return 0


def run_wise_summary(args: argparse.Namespace) -> int:
    return _summarise_scores(_wise_prompts(args), [Path(p) for p in args.scores],
                             Path(args.out) if args.out else None)
