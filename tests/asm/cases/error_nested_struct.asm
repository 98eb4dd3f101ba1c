; expect: error Enested_struct Eendstruct_without_struct
struct A $7E0000
	.x: skip 1
struct B $7E0100
	.y: skip 1
endstruct
endstruct
