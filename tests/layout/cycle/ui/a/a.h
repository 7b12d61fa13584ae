// Fixture: a and b include each other (a cycle); c only includes a.
#pragma once
#include "ui/b/b.h"
