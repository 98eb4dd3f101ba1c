; expect: ok
; <:x is x>>16; bank(x) too.
org $038000
Label:
	db <:Label, bank(Label), Label>>16
	lda.b #<:Label
	lda.b #bank(Label)
