//! MozDef's index mapping (inventory §0.2), as field types.
