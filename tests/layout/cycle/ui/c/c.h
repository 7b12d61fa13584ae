#pragma once
#include "a/a.h"
#include "missing/elsewhere.h"
