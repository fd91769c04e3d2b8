"""Every sentence and label of the improvement work, one module per subject: ``labels``
(progress states and groups), ``progress`` (a project's progress), ``pairing`` (pairing and
help reasons), ``bulletin`` (the bulletin's pages and downloads), ``notices`` (grade-drop
notices)."""
