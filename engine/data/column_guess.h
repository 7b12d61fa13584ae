// Which columns of a labelled table hold the text and the label, when the user has not said:
// the Data panel preselects them and `kdw prepare` names them when the default names are absent.
#pragma once

#include "data/table.h"

namespace kdw {

struct ColumnGuess {
  int text = -1;   ///< column index, -1: none fits
  int label = -1;  ///< never the text column; -1: none fits (e.g. a one-column file)
};

/// By name first (text, sentence, review, comment, текст, отзыв, …; label, class, category,
/// topic, метка, класс, категория, тема, …; case-insensitive, Cyrillic too), else by content of
/// the first rows: the text is the column with the longest mean length that is not all numbers,
/// the label the column with the fewest distinct values (at least two) that is not unique per
/// row (an id). Reads at most 2,000 rows.
ColumnGuess guess_columns(const Table& table);

}  // namespace kdw
