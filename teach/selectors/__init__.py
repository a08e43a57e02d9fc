"""Reads of the teacher home, always scoped by the signed-in teacher.

identity: who the teacher is (by Clever id only) and whether they also have the portal; display: how roster
data reads on the teacher's pages; sections: their sections of the current term; classes: their
ClassHub-only classes and the students they may add.
"""
