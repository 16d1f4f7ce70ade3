from django import forms
from django.utils.translation import gettext_lazy as _

from zhengtong.core.forms import DateInput
from zhengtong.resumption.models import DifficultyCategory, Stage

DATE = DateInput()  # ISO: what an <input type=date> reads
COUNT = forms.TextInput(attrs={"inputmode": "numeric"})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def files_field() -> forms.Field:
    """Attachments: the files as uploaded; the service checks their number, types and sizes."""
    return forms.Field(label=_("Attachments"), required=False, widget=MultipleFileInput(
        attrs={"accept": ".pdf,.jpg,.jpeg,.png,.doc,.docx,.xls,.xlsx,.ofd,.zip"}))


class DeclarationForm(forms.Form):
    """What the enterprise clerk declares; the service checks it (forms only carry text)."""

    planned_date = forms.CharField(label=_("Planned resumption date"), required=False, widget=DATE)
    workforce_total = forms.CharField(label=_("Workforce (total)"), required=False, widget=COUNT)
    workforce_returned = forms.CharField(label=_("Returned"), required=False, widget=COUNT)
    returned_from_outside = forms.CharField(label=_("Returned from outside the city"), required=False, widget=COUNT)
    outside_isolated = forms.CharField(label=_("Of those, completed isolation"), required=False, widget=COUNT)
    temperature_checks = forms.BooleanField(label=_("Temperature checks at the entrance"), required=False)
    masks = forms.BooleanField(label=_("Masks"), required=False)
    disinfection_schedule = forms.BooleanField(label=_("Disinfection schedule"), required=False)
    canteen_arrangements = forms.BooleanField(label=_("Canteen arrangements"), required=False)
    isolation_room = forms.BooleanField(label=_("Isolation room"), required=False)
    measures_note = forms.CharField(label=_("Notes on the measures"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Reason for the correction"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, correcting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not correcting:
            del self.fields["reason"]


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    reached_on = forms.CharField(label=_("Date"), required=False, widget=DATE)
    capacity_pct = forms.CharField(label=_("Capacity (per cent of normal output)"), required=False, widget=COUNT)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Reason for the correction"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, correcting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not correcting:
            del self.fields["reason"]


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DifficultyForm(forms.Form):
    unit = forms.ChoiceField(label=_("Unit"))
    category = forms.ChoiceField(label=_("Category"), choices=DifficultyCategory.choices)
    title = forms.CharField(label=_("Title"), required=False, max_length=100)
    details = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    attachments = files_field()

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(u.pk, u.name) for u in units]


class MoveForm(forms.Form):
    """The text of a move in a thread (a difficulty's, an instruction's); the service says when it is
    required."""

    text = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class InstructionMoveForm(MoveForm):
    """A move of an instruction: its text and, to reopen it, the new due date."""

    due_on = forms.CharField(label=_("New due date (to reopen)"), required=False, widget=DATE,
                             help_text=_("Reopening needs a new due date for the department: you give it, as the "
                                         "leader gave the first (a calendar day, not before today). The thread keeps "
                                         "both."))


class DifficultyMoveForm(MoveForm):
    rating = forms.ChoiceField(label=_("Rating"), required=False,
                               choices=[("", "—"), *[(str(n), str(n)) for n in range(5, 0, -1)]])
    department = forms.ChoiceField(label=_("Department"), required=False)
    attachments = files_field()

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *[(d.pk, d.name) for d in departments]]


class VisitForm(forms.Form):
    leader_title = forms.CharField(label=_("Leader (title)"), required=False, max_length=100,
                                   help_text=_("The leader's title, such as 市委书记; never a name."))
    visited_on = forms.CharField(label=_("Date of the visit"), required=False, widget=DATE)
    units = forms.CharField(label=_("Units visited"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                            help_text=_("One per line: the unit's exact name or its unified social credit code."))
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class InstructionRowForm(forms.Form):
    """One instruction given on the visit; a row left blank is skipped."""

    text = forms.CharField(label=_("Instruction"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    unit = forms.CharField(label=_("About the unit (optional)"), required=False, max_length=200,
                           help_text=_("One of the units visited; blank for the visit as a whole."))
    department = forms.CharField(label=_("Department"), required=False, widget=forms.Select())
    due_on = forms.CharField(label=_("Due date"), required=False, widget=DATE)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        widget = self.fields["department"].widget
        assert isinstance(widget, forms.Select)
        widget.choices = [("", "—"), *[(d.pk, d.name) for d in departments]]


InstructionFormSet = forms.formset_factory(InstructionRowForm, extra=0, max_num=30, absolute_max=30)
