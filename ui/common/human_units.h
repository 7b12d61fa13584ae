// Large counts and byte sizes as short text, for the compress and runs panels.
#pragma once

#include <cstdint>
#include <string>

/// 12 345 678 -> "12.3 M"; bytes -> "47.1 MB".
std::string humanCount(int64_t n);
std::string humanBytes(int64_t bytes);
