// The processes a test's process started (kdw launchers and their workers), read from /proc:
// shared by the Distill and Teacher panels' workers tests.
#pragma once

#include <errno.h>
#include <signal.h>

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QList>
#include <QString>

namespace kdw::test {

// The parent process id of `pid` (from /proc/<pid>/stat), -1 when it is gone.
inline int parentOf(int pid) {
  QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
  if (!f.open(QIODevice::ReadOnly)) return -1;
  const QByteArray stat = f.readAll();
  // "pid (comm) state ppid ...": comm may hold spaces, so read after its closing parenthesis.
  const QList<QByteArray> rest = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
  return rest.size() > 1 ? rest[1].toInt() : -1;
}

inline QList<int> childrenOf(int parent) {
  QList<int> pids;
  for (const QString& name : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
    bool number = false;
    const int pid = name.toInt(&number);
    if (number && parentOf(pid) == parent) pids << pid;
  }
  return pids;
}

inline bool alive(int pid) {
  return ::kill(pid, 0) == 0 || errno != ESRCH;
}

}  // namespace kdw::test
