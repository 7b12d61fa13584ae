// Outputs made from an input that changed since: logits older than the teacher they came from,
// students trained on older logits. Decided from the hashes the engine records beside each
// output (logits.json "teacher_notes_hash", a run's config.json "logits_hash"; docs/formats.md),
// and from modification times only for outputs written before those fields existed.
#pragma once

#include <QString>

/// Why the workspace's logits are stale (the teacher was fine-tuned again since), or "" when
/// they are not, or there are no logits or no fine-tuned teacher to compare with.
QString logitsStaleReason(const QString& workspace);

/// Why the run's student is stale (the logits of its data folder were recomputed since it was
/// trained), or "".
QString runStaleReason(const QString& runDir);
