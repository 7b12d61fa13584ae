#pragma once
#include "ui/a/a.h"
