package sim

// Pending are the violations expected until their fixes land, found by the
// simulator on the redesign of issue 17 (dom17): the notice of a reset whose
// hold lost its answer, or whose lost compare-and-set could not be read back,
// and a failed message that outbox retry requeued twice.
var Pending = Known{
	"its reset stopped when the answer to its hold was lost": "I1 by the notice hold's lost answer (no fix yet)",
	"its reset lost the compare-and-set":                     "I1 by a lost compare-and-set's failed re-read (no fix yet)",
	"requeued more than once":                                "I1, I2 by outbox retry requeuing a failed message twice (no fix yet)",
}

// PendingFindings names, for each finding of Findings whose fix is pending, what
// fixes it.
var PendingFindings = map[string]string{
	"new":  "none yet (reported in issue 17's note)",
	"new2": "none yet (reported in issue 17's note)",
	"also": "none yet (issue 17's \"also seen\": two outbox retry runs)",
}
