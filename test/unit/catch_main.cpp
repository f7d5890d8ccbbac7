// The one place that defines Catch2's main(); every unit test executable links it.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
