#include "ui/compress/pick_history.h"

#include <QUndoCommand>
#include <QUndoStack>

class PickCommand : public QUndoCommand {
 public:
  PickCommand(PickHistory* history, PickState before, PickState after, const QString& text)
      : history_(history), before_(std::move(before)), after_(std::move(after)) {
    setText(text);
  }
  void undo() override { history_->apply(before_); }
  void redo() override {
    // QUndoStack::push calls redo(): the edit is already on screen then.
    if (first_) {
      first_ = false;
      return;
    }
    history_->apply(after_);
  }

 private:
  PickHistory* history_;
  PickState before_, after_;
  bool first_ = true;
};

PickHistory::PickHistory(QObject* parent) : QObject(parent), stack_(new QUndoStack(this)) {}

void PickHistory::reset(const PickState& state) {
  stack_->clear();
  current_ = state;
}

void PickHistory::record(const PickState& state, const QString& text) {
  if (state == current_) return;
  PickState before = std::move(current_);
  current_ = state;
  stack_->push(new PickCommand(this, std::move(before), state, text));
}

void PickHistory::apply(const PickState& state) {
  current_ = state;
  Q_EMIT restore(state);
}
