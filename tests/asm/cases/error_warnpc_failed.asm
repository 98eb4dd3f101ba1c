; expect: error Ewarnpc_failed
; warnings: Wfeature_deprecated
org $008000
	fill 17
warnpc $008010
