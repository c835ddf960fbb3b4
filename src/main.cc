// Composition root: wiring only. See cli/cli.h.
#include "cli/cli.h"

int main(int argc, char** argv) { return steward::cli::Main(argc, argv); }
