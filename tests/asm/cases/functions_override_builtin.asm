; expect: ok
; warnings: Wfeature_deprecated
; A user function may replace a built-in; _name reaches the original.
function min(a, b) = _min(a, b)+1
org $008000
	db min(3, 4)
