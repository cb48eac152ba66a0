"""Which briefing is which one's translation, and which remark is which one's: the one place
that links them.

An import links the same ministry's briefing of the same day and kind in the other language
when their remarks show it is its translation (statements/text/pairing.py), and pairs their
remarks; a candidate that is not sure is named in the import's notes for an editor. An editor
who links (or unlinks) a translation in the admin gets the remarks paired (or unpaired) the same
way: in order where both have the same kinds of remarks in the same order, else only the remarks
that agree with each other better than with any other.
"""

from django.db.models import Prefetch

from .models import Briefing, Entity, Remark, bump_content_version
from .text import pairing


def link_imported(briefing, notes):
    """After an import: link `briefing` with its translation when one is sure, else say why in
    `notes`. Never a news report (it reports the briefing, it does not translate it), never a
    briefing of another kind."""
    if briefing.news_report:
        return
    candidates = list(
        Briefing.objects.filter(ministry=briefing.ministry_id, date=briefing.date, kind=briefing.kind, news_report=False)
        .exclude(language=briefing.language)
        .exclude(pk=briefing.pk)
    )
    if not candidates:
        return
    mine = remark_signatures(briefing)
    verdicts = {candidate: pairing.compare(mine, remark_signatures(candidate)) for candidate in candidates}
    sure = [candidate for candidate, verdict in verdicts.items() if verdict.sure]
    if len(sure) != 1:
        if sure:
            notes.append(
                f"{len(sure)} briefings of that day match it as a translation "
                f"({', '.join(f'#{c.pk}' for c in sure)}); link one in the admin."
            )
            return
        for candidate, verdict in verdicts.items():
            if candidate.pk == briefing.translation_id:
                notes.append(
                    f"Linked to briefing #{candidate.pk} as its translation, but their remarks do not show "
                    f"it ({verdict.reason}): check the link in the admin."
                )
            else:
                notes.append(
                    f"Briefing #{candidate.pk} of that day could be its translation, but their remarks do "
                    f"not show it ({verdict.reason}): link it in the admin if it is."
                )
        return
    partner = sure[0]
    if briefing.translation_id != partner.pk:
        if briefing.translation_id:
            notes.append(f"Translation kept as briefing #{briefing.translation_id}; #{partner.pk} matches too.")
            return
        briefing.translation = partner
        briefing.save(update_fields=["translation", "updated_at"])
    pair_remarks(briefing, partner, verdicts[partner].pairs)


def relink(briefing, previous_partner_id):
    """After an editor changed `briefing`'s translation (from `previous_partner_id`): the remarks
    paired with the previous one's are unpaired, and those of the new one paired."""
    if previous_partner_id:
        unpair(briefing.pk, previous_partner_id)
    partner = briefing.translation
    if partner is not None:
        pair_remarks(briefing, partner, pairing.compare(remark_signatures(briefing), remark_signatures(partner)).pairs)


def unpair(first_id, second_id):
    touched = list(
        Remark.objects.filter(briefing=first_id, translation__briefing=second_id).values_list("pk", flat=True)
    ) + list(Remark.objects.filter(briefing=second_id, translation__briefing=first_id).values_list("pk", flat=True))
    Remark.objects.filter(pk__in=touched).update(translation=None)
    _moved(touched)


def remark_signatures(briefing):
    """What each of a briefing's remarks (in order) says that its translation says too."""
    remarks = briefing.remarks.order_by("position").prefetch_related(
        Prefetch("entities", queryset=Entity.objects.only("pk"))
    )
    return [
        pairing.signature(
            remark.kind, remark.asked_by_id, [entity.pk for entity in remark.entities.all()],
            f"{remark.question}\n{remark.answer}",
        )
        for remark in remarks.only("pk", "kind", "asked_by_id", "question", "answer")
    ]


def pair_remarks(first, second, pairs):
    """Link each pair of remarks, given as (index, index) into the two briefings' remarks in
    order, and only those: a link of before between the two that is not among them, or from a
    paired remark to a third, is undone."""
    mine, theirs = list(first.remarks.order_by("position")), list(second.remarks.order_by("position"))
    wanted = {mine[i].pk: theirs[j].pk for i, j in pairs} | {theirs[j].pk: mine[i].pk for i, j in pairs}
    stale = [
        remark.pk for remark in mine + theirs
        if remark.translation_id is not None and remark.pk not in wanted
        and remark.translation_id in {other.pk for other in mine + theirs}
    ]
    changed = [remark for remark in mine + theirs if remark.pk in wanted and remark.translation_id != wanted[remark.pk]]
    # Remarks elsewhere still pointing at one now paired here.
    stale += Remark.objects.filter(translation__in=[remark.pk for remark in changed]).exclude(
        pk__in=list(wanted)
    ).values_list("pk", flat=True)
    Remark.objects.filter(pk__in=stale).update(translation=None)
    for remark in changed:
        Remark.objects.filter(pk=remark.pk).update(translation=wanted[remark.pk])
    _moved(stale + [remark.pk for remark in changed])


def _moved(remark_ids):
    """Which version of an exchange counts moves with its pairing: the months of the public
    remarks touched are counted and indexed again (written by update(), which sends no signal)."""
    if remark_ids and (months := Remark.objects.filter(pk__in=remark_ids).public_months()):
        bump_content_version(months)
