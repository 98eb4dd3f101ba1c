; expect: error Elabel_missing_parent
org $008000
.Orphan:
	nop
