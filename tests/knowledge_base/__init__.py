"""Tests of the knowledge_base service: schedule PDFs, documents and availability."""
