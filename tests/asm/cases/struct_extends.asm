; expect: ok
; warnings: Woptimization_settings
struct Parent $7E0300
	.Kind: skip 1
	.Hp: skip 2
endstruct
struct Child extends Parent
	.Extra: skip 1
	.More: skip 2
endstruct
org $008000
	lda Parent.Child.More
	lda Parent[2].Child.Extra
	lda Parent.Child[2].More
	db sizeof(Parent), sizeof(Parent.Child), objectsize(Parent), objectsize(Parent.Child)
