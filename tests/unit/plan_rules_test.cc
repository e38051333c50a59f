#include "gtest/gtest.h"
#include "services/planning/plan_rules.h"
TEST(Placeholder, Builds) {}
