"""Which sense a listing's noun is read in: a word first filed as someone or some animal that
also names a made thing is that thing where the listing shows it is ("Drill with two
batteries and a charger" is no war horse; "Portable party speaker ..., 50W" no orator)."""

from __future__ import annotations

from stagestudio.scene.parsing import english
from stagestudio.scene.parsing.english import NounKind
from stagestudio.scene.parsing.items import Action, Break, Measure, NounPhrase, Prep, Rel
from stagestudio.scene.parsing.parts import PART_PREPOSITIONS
from stagestudio.scene.parsing.state import Ref, State

_LISTING_JOINS = frozenset({",", "&", "and"})


def made_sense_in_listing(np_: NounPhrase, prev: object, resolved: list, state: State) -> None:
    """In a made product's listing, a member whose word is first someone or some animal but
    also names a made thing is that thing ("Drill with two batteries and a charger" is no war
    horse, "skates & 2 blade guards" no sentries, "net w/ a top band" no musicians): where
    everything named so far is made and nothing acts, the word's made sense is read (in place)."""
    written = english.noun_lemma(np_.surface.split()[-1]) if np_.surface else np_.head
    if (np_.pronoun is not None or np_.possessive is not None
            or not (np_.head == "person" or english.is_animate(np_.head))
            or not (isinstance(prev, Break) and prev.word in _LISTING_JOINS
                    or isinstance(prev, Prep) and prev.word in PART_PREPOSITIONS)):
        return
    senses = english.noun_senses(written)
    if not any(s.lexfile == english.ARTIFACT for s in senses[:4]) or english.is_artifact(written):
        return
    named = [r.object_id for r in resolved if isinstance(r, Ref) and r.object_id is not None]
    if (not named or any(isinstance(r, (Action, Rel)) for r in resolved)
            or not all(english.has_sense_of(state.get(i).word, english.ARTIFACT) and not state.get(i).is_alive
                       for i in named)):
        return
    np_.head, np_.is_class, np_.kind = written, False, NounKind.THING


# Units only a made thing is measured in: what it holds, the power it draws or gives, and the
# small weights of goods ("43 ml", "50 w", "12 v", "100 g"). Nobody is measured so; a person's
# height and weight ("2 m tall", "70 kg") are not among them.
_MADE_ONLY_UNITS = frozenset({"ml", "l", "w", "kw", "v", "mah", "g", "oz"})


def made_sense_of_measured_product(np_: NounPhrase, items: list, k: int, resolved: list) -> None:
    """A listing's opening noun that is first someone but also names a made thing is that thing
    where the listing measures it as only a made thing is measured ("Portable party speaker ...,
    50W", "Bingo daubers x6, 43ml each", "Tea caddies, set of 3, 100 g each"): the word's made
    sense is read (in place). Only with nothing acting or placed in the sentence."""
    if (np_.pronoun is not None or np_.possessive is not None or np_.determiner != "none"
            or not (np_.head == "person" or english.is_animate(np_.head))
            or any(isinstance(r, Ref) and r.object_id is not None for r in resolved)
            or any(isinstance(item, (Action, Rel)) for item in items)):
        return
    written = english.noun_lemma(np_.surface.split()[-1]) if np_.surface else np_.head
    senses = english.noun_senses(written)
    if not any(s.lexfile == english.ARTIFACT for s in senses[:4]) or english.is_artifact(written):
        return
    units = {item.text.split()[-1] for item in items[k + 1:] if isinstance(item, Measure) and item.text.split()}
    if units & _MADE_ONLY_UNITS:
        np_.head, np_.is_class, np_.kind = written, False, NounKind.THING
