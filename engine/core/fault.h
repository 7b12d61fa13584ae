// Deterministic crash points for the fault test (tests/core/test_fault_kill.cpp).
// With KDW_FAULT_KILL_AT=N in the environment the process kills itself with SIGKILL at its Nth
// file-system commit step (a write, rename or removal of an output); KDW_FAULT_STOP_AT=N stops it
// there (SIGSTOP) so a test can look at it mid-commit. With either set, a process that ends
// normally prints "kdw fault points: <count>" to stderr. Without them, fault_point() does nothing. A
// kill is the worst a crash can do to the files, so these points prove that every step of every
// commit leaves the workspace whole.
#pragma once

namespace kdw {

/// One commit step is about to happen.
void fault_point();
/// Counts from zero again (a test's forked child).
void reset_fault_points();

}  // namespace kdw
