// Undo/redo of the Compress panel's picks: each finished edit (a click or drag on the heatmap
// or the strip, a threshold, Clear) becomes one QUndoStack step holding the picks and the
// threshold before and after it. Undo and redo hand the state back through restore().
#pragma once

#include <QObject>
#include <QString>

#include "ui/compress/unit_selection.h"

class QUndoStack;

struct PickState {
  UnitSelection::Picks picks;
  float threshold = 0.0f;
  bool operator==(const PickState& o) const { return picks == o.picks && threshold == o.threshold; }
  bool operator!=(const PickState& o) const { return !(*this == o); }
};

class PickHistory : public QObject {
  Q_OBJECT

 public:
  explicit PickHistory(QObject* parent = nullptr);

  QUndoStack* stack() const { return stack_; }
  /// Forgets every step; `state` is where the next step starts from.
  void reset(const PickState& state);
  /// One step from the last recorded state to `state`; nothing when they are equal.
  void record(const PickState& state, const QString& text);
  /// The state of the last recorded step (or undo/redo).
  const PickState& current() const { return current_; }

 Q_SIGNALS:
  /// Undo or redo wants this state shown.
  void restore(const PickState& state);

 private:
  friend class PickCommand;
  void apply(const PickState& state);

  QUndoStack* stack_;
  PickState current_;
};
