//! The storage conformance suite, unchanged, on a real OpenSearch node.

use mozdef_store_opensearch::testing::isolated_store;

mozdef_store::conformance_tests!(isolated_store());
