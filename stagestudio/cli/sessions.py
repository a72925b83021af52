"""`python -m stagestudio sessions ...`: browse, replay, re-run, fork, resume, export,
import and delete stored sessions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from stagestudio.cli import CliError
from stagestudio.cli.display import safe_json, safe_text
from stagestudio.cli.paths import ensure_writable_folder
from stagestudio.cli.store_args import add_db_arguments

PROMPT_WIDTH = 60


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sessions", help="stored sessions: list, show, replay, rerun, fork, resume, export, import, delete")
    sub = parser.add_subparsers(dest="sessions_command", metavar="ACTION")
    sub.required = True

    p = sub.add_parser("list", help="id, created, status, steps and prompt of every stored session (newest first)")
    add_db_arguments(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--limit", type=int, default=None, help="show at most N sessions")
    p.add_argument("--status", default=None, help="only sessions with this status (e.g. interrupted)")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="one session: settings, steps, attempts, verdicts, interventions")
    add_db_arguments(p)
    p.add_argument("id")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("replay", help="step through a stored session exactly as it happened (nothing recomputed)")
    add_db_arguments(p)
    p.add_argument("id")
    p.add_argument("--json", action="store_true", help="print each event as one JSON line")
    p.add_argument("--with-history", action="store_true", help="for a fork, first replay the steps it shares")
    p.add_argument("--images", metavar="DIR", default=None, help="also write each sketch as DIR/<seq>_step<k>_attempt<a>.png")
    p.set_defaults(func=cmd_replay)

    p = sub.add_parser("rerun", help="recompute with the same seeds/settings; report identical/different sketches")
    add_db_arguments(p)
    p.add_argument("id")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_rerun)

    p = sub.add_parser("fork", help="new session from step K of a stored one, run to the end; prints the new id")
    add_db_arguments(p)
    p.add_argument("id")
    p.add_argument("--from-step", type=int, required=True, metavar="K", help="first step to redo (0-based; steps before it are shared)")
    p.add_argument("--instruction", default=None, help="replace step K's instruction")
    p.add_argument("--graph", default=None, metavar="FILE", help="run on with this edited scene graph (JSON)")
    p.add_argument("--quiet", action="store_true", help="print only the new session id")
    p.set_defaults(func=cmd_fork)

    p = sub.add_parser("resume", help="continue an interrupted session from its last completed step")
    add_db_arguments(p)
    p.add_argument("id")
    p.add_argument("--quiet", action="store_true", help="print only the final status")
    p.set_defaults(func=cmd_resume)

    p = sub.add_parser("export", help="write one session (with a fork's shared history) to a portable .zip")
    add_db_arguments(p)
    p.add_argument("id")
    p.add_argument("file")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="import a session archive (validated before anything is written)")
    add_db_arguments(p)
    p.add_argument("file")
    p.add_argument("--new-id", action="store_true", help="import under a new id when the id is already taken")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("delete", help="delete a session and the images nothing else uses")
    add_db_arguments(p)
    p.add_argument("id")
    p.add_argument("--cascade", action="store_true", help="also delete the forks that share this session's steps")
    p.set_defaults(func=cmd_delete)

    p = sub.add_parser("check", help="integrity check: damaged indexes and sessions, missing and orphan images, failed imports")
    add_db_arguments(p)
    p.add_argument("--repair", action="store_true",
                   help="rebuild damaged indexes, remove failed imports and image files nothing refers to")
    p.set_defaults(func=cmd_check)


# --- helpers -----------------------------------------------------------------------------
def _open(args: argparse.Namespace, create: bool):
    from stagestudio.store import StoreError, open_store, resolve_db_path

    path = resolve_db_path(args.db)
    if not create and isinstance(path, Path) and not path.exists():
        # A mistyped --db must not quietly create an empty database. (A server database
        # must exist already: nothing here creates one.)
        raise CliError(f"no session database at {path} (choose one with --db or $STAGESTUDIO_DB)")
    try:
        return open_store(path, images=args.db_images)
    except StoreError as exc:
        raise CliError(str(exc)) from exc


def _run(args: argparse.Namespace, body, create: bool = False) -> int:
    """Open the store, run `body(store)`, turn store and file errors into clean CLI errors."""
    from stagestudio.store import StoreError

    store = _open(args, create)
    try:
        return int(body(store) or 0)
    except StoreError as exc:
        raise CliError(str(exc)) from exc
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise CliError(f"{exc.strerror or exc}{where}") from exc
    finally:
        store.close()


def _one_line(text: str, width: int) -> str:
    flat = safe_text(" ".join(text.split()))
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _print_json(data: Any) -> None:
    print(safe_json(data, indent=2))


def _printer():
    try:
        from stagestudio.cli.display import EventPrinter

        return EventPrinter(color=sys.stdout.isatty()).format
    except ImportError:  # pragma: no cover
        return lambda e: f"{e.seq} {e.type}"


def _print_events(events, quiet: bool) -> Any:
    fmt = _printer()
    last = None
    for event in events:
        last = event
        if not quiet:
            line = fmt(event)
            if line:
                print(line, flush=True)
    return last


# --- commands ----------------------------------------------------------------------------
def cmd_list(args: argparse.Namespace) -> int:
    from stagestudio.store.records import iso_time

    def body(store) -> int:
        sessions = store.list_sessions(limit=args.limit, status=args.status, prompt_chars=None if args.json else PROMPT_WIDTH + 40)
        problems = store.listing_problems()
        if args.json:
            _print_json([s.to_json_dict() for s in sessions])
        elif not sessions:
            print(f"no sessions in {safe_text(store.location)}")
        else:
            lines = [f"{'ID':<14} {'CREATED (UTC)':<19}  {'STATUS':<13} {'STEPS':>5}  PROMPT"]
            for s in sessions:
                fork = f" (fork of {safe_text(s.parent_session_id)} @{s.branch_step})" if s.parent_session_id else ""
                lines.append(
                    f"{safe_text(s.id):<14} {iso_time(s.created_at):<19}  {safe_text(s.status):<13} {s.step_count:>5}  "
                    f"{_one_line(s.prompt, PROMPT_WIDTH)}{fork}"
                )
                if s.problem:
                    lines.append(f"{'':<14} ^ damaged: {safe_text(s.problem)} — `sessions delete {safe_text(s.id)}` removes it")
            sys.stdout.write("\n".join(lines) + "\n")
        for problem in problems:
            print(f"WARNING: {safe_text(problem)}", file=sys.stderr)
        return 1 if problems else 0

    return _run(args, body)


def cmd_show(args: argparse.Namespace) -> int:
    from stagestudio.store.records import iso_time

    u = safe_text  # everything below that came from a prompt, a model, a person or an archive

    def body(store) -> int:
        record = store.load_session(args.id)
        if args.json:
            _print_json(record.to_json_dict())
            return 1 if record.missing_images else 0
        print(f"session   {u(record.id)}")
        print(f"status    {u(record.status)}" + ("" if record.passed is None else f" (final {'pass' if record.passed else 'fail'})"))
        print(f"created   {iso_time(record.created_at)} UTC   updated {iso_time(record.updated_at)} UTC")
        print(f"backend   {u(record.backend)} {safe_json(record.settings)}")
        print(f"seed      {record.seed}   max_refines {record.max_refines}   max_steps {record.max_steps}")
        if record.parent_session_id:
            print(f"fork of   {u(record.parent_session_id)} from step {record.branch_step} (steps before it are shared)")
        print(f"prompt    {u(record.prompt)}")
        if record.graph_edited is not None:
            print("graph     edited by a person (planned graph kept)")
        for step in record.steps:
            origin = f" [shared from {u(step.session_id)}]" if step.inherited else ""
            print(f"\nstep {step.index}: {u(step.status)}{origin}  — {u(step.step.instruction)}")
            if step.step.instruction != step.planned.instruction:
                print(f"  (planned: {u(step.planned.instruction)})")
            for a in step.attempts:
                verdict = "" if a.verdict is None else a.verdict.label
                missing = "  MISSING IMAGE" if a.image_missing else ""
                print(f"  attempt {a.attempt} {u(a.stage):<6} {verdict:<6} image {a.image_sha256 or '-'}{missing}")
                if a.verdict is not None and not a.verdict.passed and a.verdict.critique:
                    print(f"    critique: {u(a.verdict.critique)}")
                if a.corrective_instruction:
                    print(f"    correction: {u(a.corrective_instruction)}")
        if record.interventions:
            print("\ninterventions:")
            for i in record.interventions:
                where = "" if i.step_index is None else f" step {i.step_index}" + ("" if i.attempt is None else f" attempt {i.attempt}")
                change = f": {u(i.before)} -> {u(i.after)}" if (i.before or i.after) else ""
                stale = " (on a step re-planned after a resume)" if i.abandoned else ""
                print(f"  #{i.seq} {u(i.kind)}{where}{change}{stale}")
        if record.abandoned_steps:
            print(f"\n{len(record.abandoned_steps)} partial step(s) were re-planned after a resume (kept in the event log)")
        if record.last_error:
            print(f"\nlast error: {u(record.last_error)}")
        print(f"\n{record.event_count} events stored")
        if record.missing_images:
            print(f"\nWARNING: {len(record.missing_images)} referenced image(s) missing from {u(store.images.root)}:")
            for sha in record.missing_images:
                print(f"  {sha}")
            return 1
        return 0

    return _run(args, body)


def cmd_replay(args: argparse.Namespace) -> int:
    def body(store) -> int:
        out = Path(args.images) if args.images else None
        if out is not None:
            ensure_writable_folder(out, "folder for the images")
        fmt = _printer()
        for event in store.replay(args.id, include_history=args.with_history, with_images=out is not None):
            if args.json:
                print(safe_json(event.to_json_dict()))
            else:
                line = fmt(event)
                if line:
                    print(line)
            image = getattr(event, "image", None)
            if out is not None and image is not None:
                target = out / f"{event.session_id}_{event.seq:04d}_step{event.step_index}_attempt{event.attempt}.png"
                try:
                    image.save(target)
                except OSError as exc:
                    raise CliError(f"cannot write {target}: {exc.strerror or exc}") from exc
        return 0

    return _run(args, body)


def cmd_rerun(args: argparse.Namespace) -> int:
    from stagestudio.store import rerun_session

    def body(store) -> int:
        report = rerun_session(store, args.id)
        if args.json:
            _print_json(
                {
                    "session_id": report.session_id,
                    "identical": report.identical,
                    "sketches": [
                        {"step": s.step_index, "attempt": s.attempt, "identical": s.identical, "stored": s.stored_sha256, "rerun": s.new_sha256}
                        for s in report.sketches
                    ],
                }
            )
        else:
            for s in report.sketches:
                word = "identical" if s.identical else "DIFFERENT"
                print(f"step {s.step_index} attempt {s.attempt}: {word}")
            total = len(report.sketches)
            same = sum(s.identical for s in report.sketches)
            print(f"{same}/{total} sketches identical")
        return 0 if report.identical else 1

    return _run(args, body)


def cmd_fork(args: argparse.Namespace) -> int:
    from stagestudio.store import fork_session

    graph = None
    if args.graph:
        from stagestudio.scene.graph import SceneGraph, SceneGraphError

        try:
            graph = SceneGraph.from_json(Path(args.graph).read_text(encoding="utf-8"))
            graph.validate_graph()
        except (OSError, ValueError, SceneGraphError) as exc:
            raise CliError(f"cannot use scene graph {args.graph}: {exc}") from exc

    def body(store) -> int:
        events = fork_session(store, args.id, args.from_step, instruction=args.instruction, graph=graph)
        last = _print_events(events, args.quiet)
        if last is None:
            raise CliError("the fork produced no events")
        print(safe_text(last.session_id))
        return 0 if getattr(last, "status", "") in ("completed", "stopped") else 1

    return _run(args, body)


def cmd_resume(args: argparse.Namespace) -> int:
    from stagestudio.store import resume_session

    def body(store) -> int:
        last = _print_events(resume_session(store, args.id), args.quiet)
        status = getattr(last, "status", "interrupted")
        print(f"session {safe_text(args.id)}: {status}")
        return 0 if status in ("completed", "stopped") else 1

    return _run(args, body)


def cmd_export(args: argparse.Namespace) -> int:
    from stagestudio.store import export_session

    def body(store) -> int:
        path = export_session(store, args.id, args.file)
        print(f"exported {safe_text(args.id)} to {safe_text(path)}")
        return 0

    return _run(args, body)


def cmd_import(args: argparse.Namespace) -> int:
    from stagestudio.store import ArchiveError, import_session
    from stagestudio.store.archive import check_archive_path

    try:
        check_archive_path(args.file)  # before a database is created for it
    except ArchiveError as exc:
        raise CliError(str(exc)) from exc

    def body(store) -> int:
        result = import_session(store, args.file, new_id=args.new_id)
        extra = f" (with ancestors {', '.join(result.imported_sessions[:-1])})" if len(result.imported_sessions) > 1 else ""
        print(f"imported {result.session_id}{extra}")
        return 0

    return _run(args, body, create=True)


def cmd_delete(args: argparse.Namespace) -> int:
    def body(store) -> int:
        report = store.delete_session(args.id, cascade=args.cascade)
        print(f"deleted {safe_text(', '.join(report.deleted_sessions))}; removed {len(report.removed_images)} unused image(s)")
        return 0

    return _run(args, body)


def cmd_check(args: argparse.Namespace) -> int:
    from stagestudio.store.maintenance import check_store

    def body(store) -> int:
        report = check_store(store, repair=args.repair)
        if report.reindexed:
            print("repaired: rebuilt every index from its table (REINDEX)")
        for p in report.integrity:
            print(f"integrity: {safe_text(p)}")
        for p in report.listing:
            print(f"index: {safe_text(p)}")
        for sid, why in report.damaged_sessions:
            print(f"session {safe_text(sid)}: damaged: {safe_text(why)}")
        for sid, sha in report.missing_images:
            print(f"session {safe_text(sid)}: image {sha} missing")
        for sid in report.removed_imports:
            print(f"repaired: removed {safe_text(sid)}, an import that died half-way")
        for sid in report.failed_imports:
            print(f"session {safe_text(sid)}: an import that died half-way (--repair removes it)")
        for path in report.removed_files:
            print(f"repaired: removed {safe_text(path)} (nothing refers to it)")
        for path in report.orphan_images:
            print(f"orphan image {safe_text(path)} (nothing refers to it; --repair removes it)")
        for path in report.temp_files:
            print(f"leftover temporary file {safe_text(path)} (--repair removes it)")
        if report.recent_orphans:
            print(f"note: {len(report.recent_orphans)} unreferenced image(s) younger than 10 minutes left alone "
                  f"(a live run may be about to refer to them)")
        if report.repair_failed:
            print(f"repair failed: {safe_text(report.repair_failed)}")
        if report.ok:
            print("ok")
            return 0
        problems = (len(report.integrity) + len(report.listing) + len(report.damaged_sessions) + len(report.missing_images)
                    + len(report.failed_imports) + len(report.orphan_images) + len(report.temp_files))
        hint = "" if args.repair else "; `sessions check --repair` fixes what can be fixed"
        print(f"{problems} problem(s){hint}")
        return 1

    return _run(args, body)
