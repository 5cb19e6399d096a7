//! Evaluation of the query model against JSON documents with MozDef's mapping semantics.
